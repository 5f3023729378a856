variable "prefix" {
  description = "Name prefix of every resource ({service}-{environment})."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "parameter_path" {
  description = "SSM Parameter Store path of the application's parameters, \"/{service}/{environment}/\": the only parameters the task roles may read."
  type        = string

  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+/$", var.parameter_path))
    error_message = "parameter_path must look like \"/service/environment/\": begin and end with a slash, no wildcard."
  }
}

variable "vpc_id" {
  description = "VPC of the security groups (the network component's vpc_id)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

# --- Load balancer ingress ---------------------------------------------------------------------------------

variable "allowed_cidr_blocks" {
  description = "CIDR blocks (IPv4 or IPv6) that may reach the ALB on 80 and 443. Required unless allow_public_ingress is true; 0.0.0.0/0 and ::/0 only with allow_public_ingress."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "allowed_cidr_blocks must contain only valid CIDR blocks, such as 203.0.113.10/32."
  }

  validation {
    condition     = var.allow_public_ingress || length(var.allowed_cidr_blocks) > 0
    error_message = "allowed_cidr_blocks is empty: list the addresses that may reach the ALB, or set allow_public_ingress = true to open it to everyone."
  }

  validation {
    condition     = var.allow_public_ingress || !anytrue([for c in var.allowed_cidr_blocks : try(tonumber(split("/", c)[1]) == 0, false)])
    error_message = "allowed_cidr_blocks opens the ALB to the whole internet (0.0.0.0/0 or ::/0); set allow_public_ingress = true if that is intended."
  }
}

variable "allow_public_ingress" {
  description = "Allow the ALB to be reached from anywhere: permits 0.0.0.0/0 and ::/0 in allowed_cidr_blocks, and an empty allowed_cidr_blocks then means both."
  type        = bool
  default     = false
}

# --- Ports -------------------------------------------------------------------------------------------------

variable "container_ports" {
  description = "Ports the containers listen on: the ALB may reach the ECS tasks on these ports only."
  type        = list(number)
  default     = [3000]

  validation {
    condition     = length(var.container_ports) > 0 && alltrue([for p in var.container_ports : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "container_ports must list at least one port from 1 to 65535."
  }
}

variable "database_port" {
  description = "Port of the database: the ECS tasks may reach the database group on it, and nothing else may."
  type        = number
  default     = 5432

  validation {
    condition     = var.database_port >= 1 && var.database_port <= 65535 && floor(var.database_port) == var.database_port
    error_message = "database_port must be a port from 1 to 65535."
  }
}

variable "ecs_tasks_additional_egress" {
  description = "Egress of the ECS tasks beyond HTTPS anywhere and the database port to the database group, e.g. an external database such as MongoDB Atlas: { description, from_port, to_port (default from_port), protocol (tcp or udp, default tcp), cidr_blocks (IPv4) }."
  type = list(object({
    description = string
    from_port   = number
    to_port     = optional(number)
    protocol    = optional(string, "tcp")
    cidr_blocks = list(string)
  }))
  default = []

  validation {
    condition = alltrue([for r in var.ecs_tasks_additional_egress :
      contains(["tcp", "udp"], r.protocol) && r.from_port >= 1 && coalesce(r.to_port, r.from_port) <= 65535 && r.from_port <= coalesce(r.to_port, r.from_port) &&
    length(r.cidr_blocks) > 0 && alltrue([for c in r.cidr_blocks : can(cidrnetmask(c))])])
    error_message = "Each ecs_tasks_additional_egress rule needs protocol tcp or udp, ports within 1-65535 (from_port <= to_port) and at least one IPv4 CIDR block."
  }
}

# --- IAM ---------------------------------------------------------------------------------------------------

variable "secret_arns" {
  description = "Secrets Manager secrets the task execution role may read to inject into containers (e.g. the database master user secret)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", a))])
    error_message = "secret_arns must contain Secrets Manager secret ARNs only."
  }
}

variable "kms_key_arns" {
  description = "Customer managed KMS keys that encrypt the parameters and secrets; empty = any key of the account, and only for decrypting those parameters and secrets through SSM or Secrets Manager."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", a))])
    error_message = "kms_key_arns must contain KMS key ARNs only."
  }
}

# --- WAF ---------------------------------------------------------------------------------------------------

variable "enable_waf" {
  description = "Create a WAFv2 web ACL (REGIONAL scope, for the ALB) with the AWS managed rule groups CommonRuleSet, KnownBadInputsRuleSet and AmazonIpReputationList."
  type        = bool
  default     = false
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one IP above which the web ACL blocks it; null = no rate-based rule."
  type        = number
  default     = null

  validation {
    condition     = var.waf_rate_limit == null || try(var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000, false)
    error_message = "waf_rate_limit must be null or from 10 to 2,000,000,000."
  }
}

variable "waf_log_retention_days" {
  description = "Retention of the web ACL's log group (aws-waf-logs-{prefix}), in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.waf_log_retention_days)
    error_message = "waf_log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "waf_log_kms_key_arn" {
  description = "KMS key that encrypts the web ACL's log group; null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.waf_log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.waf_log_kms_key_arn))
    error_message = "waf_log_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "tags" {
  description = "Extra tags for every resource of the module (the provider's default_tags come on top)."
  type        = map(string)
  default     = {}
}
