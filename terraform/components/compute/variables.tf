# The compute component's own inputs. Defaults are the staging cost profile; every production difference is an
# input set in inventories/<env>. The common inputs (aws_region, aws_endpoints, service, environment, prefix) are
# declared in component.tf.

################################################################################
# From network and security
################################################################################

variable "vpc_id" {
  description = "VPC of the target groups (network.vpc_id)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets, at least two (network.public_subnet_ids): the ALB, and the tasks when tasks_in_public_subnets is true."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for s in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "public_subnet_ids needs at least two subnet ids (an ALB spans at least two Availability Zones)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (network.private_subnet_ids): the tasks when tasks_in_public_subnets is false."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids must be subnet ids (subnet-...)."
  }
}

variable "tasks_in_public_subnets" {
  description = "true (staging, no NAT gateway): tasks in the public subnets with public IPs; false (production): tasks in the private subnets without public IPs."
  type        = bool
  default     = true

  validation {
    condition     = var.tasks_in_public_subnets || length(var.private_subnet_ids) > 0
    error_message = "tasks_in_public_subnets = false needs private_subnet_ids."
  }
}

variable "alb_security_group_id" {
  description = "Security group of the ALB (security.alb_security_group_id)."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.alb_security_group_id))
    error_message = "alb_security_group_id must be a security group id (sg-...)."
  }
}

variable "ecs_tasks_security_group_id" {
  description = "Security group of the ECS tasks (security.ecs_tasks_security_group_id)."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.ecs_tasks_security_group_id))
    error_message = "ecs_tasks_security_group_id must be a security group id (sg-...)."
  }
}

variable "task_execution_role_arn" {
  description = "Task execution role (security.task_execution_role_arn): image pulls, logs, secrets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_execution_role_arn))
    error_message = "task_execution_role_arn must be an IAM role ARN."
  }
}

variable "task_role_arn" {
  description = "Task role (security.task_role_arn): ECS Exec and the application's own AWS access."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_role_arn))
    error_message = "task_role_arn must be an IAM role ARN."
  }
}

variable "waf_web_acl_arn" {
  description = "REGIONAL WAFv2 web ACL to associate with the ALB (security.waf_web_acl_arn); null = none (staging)."
  type        = string
  default     = null

  validation {
    condition     = var.waf_web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$", var.waf_web_acl_arn))
    error_message = "waf_web_acl_arn must be a REGIONAL WAFv2 web ACL ARN or null."
  }
}

################################################################################
# Images (from ecr and the deploy)
################################################################################

variable "repository_urls" {
  description = "ECR repository URL per service (ecr.repository_urls)."
  type        = map(string)

  validation {
    condition     = alltrue([for u in values(var.repository_urls) : can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+$", u))])
    error_message = "repository_urls values must be repository URLs (host/name, without tag or digest)."
  }
}

variable "images" {
  description = "Image per service: a tag such as \"v1.2.3\" (=> <url>:<tag>) or a digest \"sha256:<64 hex>\" (=> <url>@sha256:...). Deploying is re-applying compute with new values."
  type        = map(string)
  default = {
    web = "latest"
    api = "latest"
  }

  validation {
    condition     = alltrue([for i in values(var.images) : can(regex("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$", i))])
    error_message = "images values must be a tag (letters, digits, _ . -, at most 128 characters, not starting with . or -) or a digest sha256:<64 lower-case hex digits>."
  }
}

################################################################################
# Services
################################################################################

variable "services" {
  description = <<-EOT
    The services and their tasks. web (Next.js SSR) takes every request; api (NestJS) takes path_patterns
    (/api/*). Per service (all optional): cpu (256), memory (512), desired_count (1; only at creation - schedules
    and autoscaling own it afterwards), container_port (3000), health_check_path, health_check_matcher
    ("200-399"), path_patterns, listener_rule_priority, environment (plain variables), secrets (variable name =>
    SSM parameter name or ARN, or Secrets Manager secret ARN), cpu_architecture ("X86_64" or "ARM64").
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
  default = {
    web = {
      health_check_path = "/"
    }
    api = {
      health_check_path = "/api/health"
      path_patterns     = ["/api/*"]
    }
  }

  validation {
    condition     = contains(keys(var.services), "web")
    error_message = "services needs a web entry (the listener's default target)."
  }
}

variable "common_environment" {
  description = "Plain environment variables of every service (a service's own environment wins on a clash)."
  type        = map(string)
  default     = {}
}

variable "common_secrets" {
  description = "Secrets of every service, variable name => SSM parameter name/ARN or Secrets Manager ARN (e.g. database.parameter_names); a service's own secrets win on a clash."
  type        = map(string)
  default     = {}
}

################################################################################
# Cluster, logs, deployments, scaling
################################################################################

variable "container_insights" {
  description = "CloudWatch Container Insights on the cluster: false in staging (cost), true in production."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the /ecs/{prefix}/{service} log groups in days: 7 in staging."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key of the log groups; null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores failing health checks of a new task (120, the seed's fix for restart loops)."
  type        = number
  default     = 120

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be between 0 and 2147483647."
  }
}

variable "autoscaling" {
  description = "Application Auto Scaling of every service (target tracking on average CPU): enabled (false), min_capacity (1), max_capacity (4), cpu_target_percent (60), scale_in_cooldown (300), scale_out_cooldown (60). Production only: a min_capacity above 0 would undo the staging night stop."
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
}

################################################################################
# Load balancer
################################################################################

variable "certificate_arn" {
  description = "ACM certificate of the ALB's HTTPS listener (same region); null = HTTP only (staging without a domain, local)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate/|server-certificate/).+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN or null."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-|TLS-1-2-).+$", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.2+ ELB security policy."
  }
}

variable "alb_deletion_protection" {
  description = "ALB deletion protection: false in staging, true in production."
  type        = bool
  default     = false
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket for the ALB's access logs (its policy must allow ELB log delivery); null = none."
  type        = string
  default     = null

  validation {
    condition     = var.alb_access_logs_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alb_access_logs_bucket))
    error_message = "alb_access_logs_bucket must be an S3 bucket name or null."
  }
}

variable "alb_access_logs_prefix" {
  description = "Key prefix of the ALB's access logs; null = the resource prefix."
  type        = string
  default     = null
}

variable "health_check_interval" {
  description = "Seconds between target group health checks (60, the seed's fix for restart loops)."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_interval >= 5 && var.health_check_interval <= 300
    error_message = "health_check_interval must be between 5 and 300 seconds."
  }
}

variable "health_check_unhealthy_threshold" {
  description = "Failed health checks before a target is unhealthy (10, the seed's fix for restart loops)."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_unhealthy_threshold >= 2 && var.health_check_unhealthy_threshold <= 10
    error_message = "health_check_unhealthy_threshold must be between 2 and 10."
  }
}
