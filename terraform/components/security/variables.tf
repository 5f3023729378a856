# The security component's own inputs (the common ones are in component.tf). Defaults are the staging
# profile: ALB restricted to allowed_cidr_blocks (which has to be given), no WAF. The module validates every
# value; the ingress policy is validated here as well, so an error names the inventory's input.

variable "vpc_id" {
  description = "VPC of the security groups: inputs_from network.vpc_id."
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "CIDR blocks that may reach the ALB on 80/443. Required unless allow_public_ingress; 0.0.0.0/0 or ::/0 only with allow_public_ingress."
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
  description = "Open the ALB to everyone (production behind WAF); an empty allowed_cidr_blocks then means 0.0.0.0/0 and ::/0."
  type        = bool
  default     = false
}

variable "container_ports" {
  description = "Ports the containers listen on; the ALB reaches the tasks on these only."
  type        = list(number)
  default     = [3000]
}

variable "database_port" {
  description = "Database port; only the ECS tasks reach the database, on this port."
  type        = number
  default     = 5432
}

variable "ecs_tasks_additional_egress" {
  description = "Egress of the ECS tasks beyond HTTPS and the database: { description, from_port, to_port, protocol, cidr_blocks }."
  type = list(object({
    description = string
    from_port   = number
    to_port     = optional(number)
    protocol    = optional(string, "tcp")
    cidr_blocks = list(string)
  }))
  default = []
}

variable "secret_arns" {
  description = "Secrets Manager secrets the task execution role may read (e.g. the database master user secret)."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "Customer managed KMS keys of the parameters and secrets; empty = any key of the account, through SSM or Secrets Manager only."
  type        = list(string)
  default     = []
}

variable "enable_waf" {
  description = "Create the WAFv2 web ACL for the ALB (production)."
  type        = bool
  default     = false
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes per IP above which WAF blocks; null = no rate rule."
  type        = number
  default     = null
}

variable "waf_log_retention_days" {
  description = "Retention of the WAF log group, in days."
  type        = number
  default     = 365
}

variable "waf_log_kms_key_arn" {
  description = "KMS key for the WAF log group; null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (default_tags add Service, Environment and ManagedBy)."
  type        = map(string)
  default     = {}
}
