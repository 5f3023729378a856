################################################################################
# Naming and network
################################################################################

variable "name" {
  description = "Name prefix of every resource ({service}-{environment}); the cluster is \"<name>-cluster\", each service \"<name>-<service key>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC of the target groups."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two, in different Availability Zones): the internet-facing ALB lives here, and so do the tasks when tasks_in_public_subnets is true."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for s in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "public_subnet_ids needs at least two subnet ids (subnet-...): an ALB spans at least two Availability Zones."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the tasks when tasks_in_public_subnets is false (they need a NAT gateway or VPC endpoints to pull images and read secrets)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids must be subnet ids (subnet-...)."
  }
}

variable "tasks_in_public_subnets" {
  description = "true: tasks run in the public subnets with public IPs (no NAT gateway needed; the staging cost profile). false: tasks run in the private subnets without public IPs (production)."
  type        = bool
  default     = true

  validation {
    condition     = var.tasks_in_public_subnets || length(var.private_subnet_ids) > 0
    error_message = "tasks_in_public_subnets = false needs private_subnet_ids."
  }
}

variable "alb_security_group_ids" {
  description = "Security groups of the ALB (ingress 80/443 from the allowed CIDRs)."
  type        = list(string)

  validation {
    condition     = length(var.alb_security_group_ids) > 0 && alltrue([for s in var.alb_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "alb_security_group_ids needs at least one security group id (sg-...)."
  }
}

variable "task_security_group_ids" {
  description = "Security groups of the tasks (ingress only from the ALB's group)."
  type        = list(string)

  validation {
    condition     = length(var.task_security_group_ids) > 0 && alltrue([for s in var.task_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "task_security_group_ids needs at least one security group id (sg-...)."
  }
}

################################################################################
# IAM
################################################################################

variable "task_execution_role_arn" {
  description = "Role ECS uses to pull images, write logs and read the secrets of the task definitions."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_execution_role_arn))
    error_message = "task_execution_role_arn must be an IAM role ARN."
  }
}

variable "task_role_arn" {
  description = "Role the application containers run as (ECS Exec's ssmmessages actions, the application's own AWS access)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_role_arn))
    error_message = "task_role_arn must be an IAM role ARN."
  }
}

################################################################################
# Services
################################################################################

variable "services" {
  description = <<-EOT
    The ECS services, keyed by a short name (web, api, ...) that becomes the container name and the suffix of the
    service, task definition family, target group and log group names. Per service: cpu and memory (a valid
    Fargate combination), desired_count (used when the service is created; afterwards scheduled stops, autoscaling
    and manual scaling own it), container_port, health_check_path and health_check_matcher of the target group,
    path_patterns the listener forwards to this service (the default_service takes everything else),
    listener_rule_priority (optional; derived from the key order otherwise), environment (plain variables),
    secrets (variable name => SSM parameter name or ARN, or Secrets Manager secret ARN, optionally with a
    ":json-key:version-stage:version-id" suffix) and cpu_architecture (X86_64 or ARM64).
  EOT
  type = map(object({
    cpu                    = optional(number, 256)
    memory                 = optional(number, 512)
    desired_count          = optional(number, 1)
    container_port         = optional(number, 3000)
    health_check_path      = optional(string, "/")
    health_check_matcher   = optional(string, "200-399")
    path_patterns          = optional(list(string), [])
    listener_rule_priority = optional(number)
    environment            = optional(map(string), {})
    secrets                = optional(map(string), {})
    cpu_architecture       = optional(string, "X86_64")
  }))

  validation {
    condition     = length(var.services) > 0 && alltrue([for k in keys(var.services) : can(regex("^[a-z][a-z0-9-]{0,6}[a-z0-9]$", k))])
    error_message = "services needs at least one entry; keys are 2-8 lower-case letters, digits or inner hyphens (they end up in 32-character target group names)."
  }

  validation {
    condition = alltrue([for s in values(var.services) : contains(
      lookup({
        "256"   = [512, 1024, 2048]
        "512"   = [for gb in range(1, 5) : gb * 1024]
        "1024"  = [for gb in range(2, 9) : gb * 1024]
        "2048"  = [for gb in range(4, 17) : gb * 1024]
        "4096"  = [for gb in range(8, 31) : gb * 1024]
        "8192"  = [for gb in range(16, 61, 4) : gb * 1024]
        "16384" = [for gb in range(32, 121, 8) : gb * 1024]
      }, tostring(s.cpu), []),
    s.memory)])
    error_message = "Each service's cpu/memory must be a Fargate combination: 256 => 512/1024/2048; 512 => 1-4 GiB; 1024 => 2-8 GiB; 2048 => 4-16 GiB; 4096 => 8-30 GiB (1 GiB steps); 8192 => 16-60 GiB (4 GiB steps); 16384 => 32-120 GiB (8 GiB steps), memory in MiB."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : s.desired_count >= 0 && floor(s.desired_count) == s.desired_count])
    error_message = "desired_count must be a whole number >= 0."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : s.container_port >= 1 && s.container_port <= 65535 && floor(s.container_port) == s.container_port])
    error_message = "container_port must be a port number (1-65535)."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : length(s.health_check_path) <= 1024 && can(regex("^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$", s.health_check_path))])
    error_message = "health_check_path must be an absolute URL path such as /health (at most 1024 characters)."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : can(regex("^[1-5][0-9]{2}((-|,)[1-5][0-9]{2})*$", s.health_check_matcher))])
    error_message = "health_check_matcher must be HTTP codes such as \"200\", \"200,204\" or \"200-399\"."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : length(s.path_patterns) <= 5 && alltrue([for p in s.path_patterns : can(regex("^/[A-Za-z0-9_./*?&~!$'()+,;=:@%-]{0,127}$", p))])])
    error_message = "path_patterns holds at most 5 ALB path patterns per service, each starting with / (at most 128 characters; * and ? are wildcards)."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : s.listener_rule_priority == null ? true : (s.listener_rule_priority >= 1 && s.listener_rule_priority <= 50000 && floor(s.listener_rule_priority) == s.listener_rule_priority)])
    error_message = "listener_rule_priority must be a whole number between 1 and 50000."
  }

  validation {
    condition = alltrue(flatten([for s in values(var.services) : [
      for k in concat(keys(s.environment), keys(s.secrets)) : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", k))
    ]]))
    error_message = "environment and secrets keys must be environment variable names ([A-Za-z_][A-Za-z0-9_]*)."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : length(setintersection(keys(s.environment), keys(s.secrets))) == 0])
    error_message = "A variable cannot be both in a service's environment and in its secrets."
  }

  validation {
    condition = alltrue(flatten([for s in values(var.services) : [
      for v in values(s.secrets) : can(regex("^(arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:[0-9]{12}:(parameter/|secret:).+|/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)$", v))
    ]]))
    error_message = "Each secret must be an SSM parameter name (/service/env/NAME), an SSM parameter ARN or a Secrets Manager secret ARN."
  }

  validation {
    condition     = alltrue([for s in values(var.services) : contains(["X86_64", "ARM64"], s.cpu_architecture)])
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "default_service" {
  description = "Key of the service that receives every request no path_patterns rule matches (the listener's default action)."
  type        = string
  default     = "web"

  validation {
    condition     = contains(keys(var.services), var.default_service)
    error_message = "default_service must be one of the keys of services."
  }
}

variable "repository_urls" {
  description = "ECR repository URL per service key (the ecr component's repository_urls output)."
  type        = map(string)

  validation {
    condition     = alltrue([for k in keys(var.services) : can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+$", var.repository_urls[k]))])
    error_message = "repository_urls needs a repository URL (host/name, no tag) for every key of services."
  }
}

variable "images" {
  description = "Image per service key: a tag (\"v1.2.3\", becomes <url>:<tag>) or a digest (\"sha256:<64 hex>\", becomes <url>@sha256:...). Deploying is re-applying with new values."
  type        = map(string)

  validation {
    condition     = alltrue([for k in keys(var.services) : can(regex("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$", var.images[k]))])
    error_message = "images needs, for every key of services, a tag (letters, digits, _ . -, at most 128 characters, not starting with . or -) or a digest sha256:<64 lower-case hex digits>."
  }
}

variable "common_environment" {
  description = "Plain environment variables given to every service (a service's own environment wins on a clash)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.common_environment) : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", k))])
    error_message = "common_environment keys must be environment variable names."
  }
}

variable "common_secrets" {
  description = "Secrets given to every service, variable name => SSM parameter name/ARN or Secrets Manager ARN (e.g. the database component's parameter_names); a service's own secrets win on a clash."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k, v in var.common_secrets : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", k)) && can(regex(
      "^(arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:[0-9]{12}:(parameter/|secret:).+|/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)$", v
    ))])
    error_message = "common_secrets maps environment variable names to SSM parameter names/ARNs or Secrets Manager ARNs."
  }
}

################################################################################
# Cluster, logs, deployments
################################################################################

variable "container_insights" {
  description = "Turn on CloudWatch Container Insights for the cluster (off in the staging cost profile, on in production)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the /ecs/<name>/<service> log groups, in days (7 in the staging cost profile)."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log groups (its key policy must let logs.<region>.amazonaws.com use it); null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores failing load balancer health checks of a new task (the seed's fix for restart loops: 120)."
  type        = number
  default     = 120

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be between 0 and 2147483647."
  }
}

variable "deployment_minimum_healthy_percent" {
  description = "Lower limit of running tasks during a deployment, as a percentage of the desired count."
  type        = number
  default     = 100

  validation {
    condition     = var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100
    error_message = "deployment_minimum_healthy_percent must be between 0 and 100."
  }
}

variable "deployment_maximum_percent" {
  description = "Upper limit of running tasks during a deployment, as a percentage of the desired count."
  type        = number
  default     = 200

  validation {
    condition     = var.deployment_maximum_percent >= 100 && var.deployment_maximum_percent <= 400
    error_message = "deployment_maximum_percent must be between 100 and 400."
  }
}

variable "autoscaling" {
  description = "Application Auto Scaling of every service: target tracking on the service's average CPU between min_capacity and max_capacity tasks. Off by default (the staging services are stopped by a schedule instead, and a min_capacity above 0 would undo that)."
  type = object({
    enabled            = optional(bool, false)
    min_capacity       = optional(number, 1)
    max_capacity       = optional(number, 4)
    cpu_target_percent = optional(number, 60)
    scale_in_cooldown  = optional(number, 300)
    scale_out_cooldown = optional(number, 60)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.autoscaling.min_capacity >= 0 && var.autoscaling.max_capacity >= 1 && var.autoscaling.min_capacity <= var.autoscaling.max_capacity
    error_message = "autoscaling needs 0 <= min_capacity <= max_capacity and max_capacity >= 1."
  }

  validation {
    condition     = var.autoscaling.cpu_target_percent > 0 && var.autoscaling.cpu_target_percent <= 100
    error_message = "autoscaling.cpu_target_percent must be above 0 and at most 100."
  }

  validation {
    condition     = var.autoscaling.scale_in_cooldown >= 0 && var.autoscaling.scale_out_cooldown >= 0
    error_message = "autoscaling cooldowns must be >= 0 seconds."
  }
}

################################################################################
# Load balancer
################################################################################

variable "certificate_arn" {
  description = "ACM certificate (in the ALB's region) of the HTTPS listener; with it, HTTP redirects to HTTPS. null = HTTP only."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate/|server-certificate/).+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM (or IAM server) certificate ARN, or null."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener (TLS 1.3 with TLS 1.2 fallback by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-|TLS-1-2-).+$", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.2+ ELB security policy (ELBSecurityPolicy-TLS13-1-2-..., -TLS13-1-3-..., -FS-1-2-... or -TLS-1-2-...)."
  }
}

variable "waf_web_acl_arn" {
  description = "WAFv2 web ACL (REGIONAL scope) to associate with the ALB; null = none."
  type        = string
  default     = null

  validation {
    condition     = var.waf_web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$", var.waf_web_acl_arn))
    error_message = "waf_web_acl_arn must be a REGIONAL WAFv2 web ACL ARN or null."
  }
}

variable "alb_deletion_protection" {
  description = "Turn on the ALB's deletion protection (production)."
  type        = bool
  default     = false
}

variable "alb_idle_timeout" {
  description = "Seconds the ALB keeps an idle connection open."
  type        = number
  default     = 60

  validation {
    condition     = var.alb_idle_timeout >= 1 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket that receives the ALB's access logs (its policy must allow ELB log delivery); null = no access logs."
  type        = string
  default     = null

  validation {
    condition     = var.alb_access_logs_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alb_access_logs_bucket))
    error_message = "alb_access_logs_bucket must be an S3 bucket name or null."
  }
}

variable "alb_access_logs_prefix" {
  description = "Key prefix of the ALB access logs in alb_access_logs_bucket; null = the name prefix."
  type        = string
  default     = null
}

variable "deregistration_delay" {
  description = "Seconds the ALB drains a deregistering task before ECS stops it."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be between 0 and 3600 seconds."
  }
}

variable "health_check_interval" {
  description = "Seconds between target group health checks (60: the seed's fix for restart loops)."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_interval >= 5 && var.health_check_interval <= 300
    error_message = "health_check_interval must be between 5 and 300 seconds."
  }
}

variable "health_check_timeout" {
  description = "Seconds a health check may take; must be below health_check_interval."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_timeout >= 2 && var.health_check_timeout <= 120 && var.health_check_timeout < var.health_check_interval
    error_message = "health_check_timeout must be between 2 and 120 seconds and below health_check_interval."
  }
}

variable "health_check_healthy_threshold" {
  description = "Consecutive successful health checks before a target counts as healthy."
  type        = number
  default     = 2

  validation {
    condition     = var.health_check_healthy_threshold >= 2 && var.health_check_healthy_threshold <= 10
    error_message = "health_check_healthy_threshold must be between 2 and 10."
  }
}

variable "health_check_unhealthy_threshold" {
  description = "Consecutive failed health checks before a target counts as unhealthy (10: the seed's fix for restart loops)."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_unhealthy_threshold >= 2 && var.health_check_unhealthy_threshold <= 10
    error_message = "health_check_unhealthy_threshold must be between 2 and 10."
  }
}
