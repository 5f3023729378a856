data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # ALB and target group names are limited to 32 characters: long prefixes are cut and made unique again
  # with a short hash of the full prefix.
  name_hash = substr(md5(var.name), 0, 4)
  alb_name  = length("${var.name}-alb") <= 32 ? "${var.name}-alb" : "${trim(substr(var.name, 0, 23), "-")}-${local.name_hash}-alb"
  target_group_names = {
    for k in keys(var.services) : k => (
      length("${var.name}-${k}") <= 32 ? "${var.name}-${k}" : "${trim(substr(var.name, 0, 26 - length(k)), "-")}-${local.name_hash}-${k}"
    )
  }

  cluster_name    = "${var.name}-cluster"
  task_subnet_ids = var.tasks_in_public_subnets ? var.public_subnet_ids : var.private_subnet_ids

  # A tag becomes <url>:<tag>, a digest <url>@sha256:<hex>.
  image_references = {
    for k in keys(var.services) : k => (
      startswith(var.images[k], "sha256:") ? "${var.repository_urls[k]}@${var.images[k]}" : "${var.repository_urls[k]}:${var.images[k]}"
    )
  }

  # Secrets given as SSM parameter names become parameter ARNs of this account and region, the form ECS
  # accepts everywhere (and the one IAM policies match).
  ssm_parameter_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:parameter/"
  secrets = {
    for k, s in var.services : k => {
      for env_name, ref in merge(var.common_secrets, s.secrets) : env_name => (
        startswith(ref, "arn:") ? ref : "${local.ssm_parameter_arn_prefix}${trimprefix(ref, "/")}"
      )
    }
  }
  environment = { for k, s in var.services : k => merge(var.common_environment, s.environment) }

  # Services other than the default one are reached through listener rules on their path patterns.
  routed_services = { for k, s in var.services : k => s if k != var.default_service && length(s.path_patterns) > 0 }
  rule_priorities = {
    for i, k in sort(keys(var.services)) : k => coalesce(var.services[k].listener_rule_priority, 100 + 10 * i)
  }

  https_enabled = var.certificate_arn != null
}
