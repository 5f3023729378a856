variable "prefix" {
  description = "Resource name prefix ({service}-{environment}); the topic, the alarms and the budget are named after it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}

# --- Notification topic -------------------------------------------------------------------------------------

variable "alarm_email" {
  description = "E-mail address subscribed to the alerts topic (the recipient confirms the subscription); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "kms_key_arn" {
  description = <<-EOT
    ARN of a customer managed KMS key to encrypt the alerts topic with; its key policy must let cloudwatch.amazonaws.com
    and budgets.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt). null = the module creates such a key.
    The AWS managed key alias/aws/sns is not offered: its key policy cannot be changed, so CloudWatch alarms and
    AWS Budgets could not publish to the topic.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases, alias/aws/sns in particular, are refused."
  }
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period before the module's own KMS key is deleted after a destroy (7-30 days)."
  type        = number
  default     = 7

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30
    error_message = "kms_key_deletion_window_days must be between 7 and 30."
  }
}

# --- Alarms: common -----------------------------------------------------------------------------------------

variable "notify_on_ok" {
  description = "Also notify the topic when an alarm returns to OK."
  type        = bool
  default     = true
}

variable "treat_missing_data" {
  description = "How alarms treat missing data. notBreaching suits environments whose services and database are stopped at night."
  type        = string
  default     = "notBreaching"

  validation {
    condition     = contains(["missing", "ignore", "breaching", "notBreaching"], var.treat_missing_data)
    error_message = "treat_missing_data must be missing, ignore, breaching or notBreaching."
  }
}

# --- Alarms: ECS --------------------------------------------------------------------------------------------

variable "cluster_name" {
  description = "ECS cluster name; null skips the ECS alarms."
  type        = string
  default     = null
}

variable "service_names" {
  description = "ECS service names to watch (short name => service name, e.g. web => <prefix>-web); empty skips the ECS alarms."
  type        = map(string)
  default     = {}
}

variable "ecs_cpu_threshold" {
  description = "ECS service average CPUUtilization (%) above which the CPU alarm fires."
  type        = number
  default     = 80

  validation {
    condition     = var.ecs_cpu_threshold > 0 && var.ecs_cpu_threshold <= 100
    error_message = "ecs_cpu_threshold must be a percentage in (0, 100]."
  }
}

variable "ecs_memory_threshold" {
  description = "ECS service average MemoryUtilization (%) above which the memory alarm fires."
  type        = number
  default     = 80

  validation {
    condition     = var.ecs_memory_threshold > 0 && var.ecs_memory_threshold <= 100
    error_message = "ecs_memory_threshold must be a percentage in (0, 100]."
  }
}

# --- Alarms: ALB --------------------------------------------------------------------------------------------

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB (app/<name>/<id>), the LoadBalancer dimension; null skips the ALB alarms."
  type        = string
  default     = null

  validation {
    condition     = var.alb_arn_suffix == null || can(regex("^app/[^/]+/[^/]+$", var.alb_arn_suffix))
    error_message = "alb_arn_suffix must be null or an ALB ARN suffix (app/<name>/<id>)."
  }
}

variable "target_group_arn_suffixes" {
  description = "Target group ARN suffixes (targetgroup/<name>/<id>) per short name; empty skips the per-target-group alarms (which also need alb_arn_suffix)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for suffix in values(var.target_group_arn_suffixes) : can(regex("^targetgroup/[^/]+/[^/]+$", suffix))])
    error_message = "Each target group ARN suffix must look like targetgroup/<name>/<id>."
  }
}

variable "alb_5xx_threshold" {
  description = "Number of 5xx responses in 5 minutes (generated by the ALB, or by the targets of one target group) above which the 5xx alarms fire."
  type        = number
  default     = 10

  validation {
    condition     = var.alb_5xx_threshold >= 0
    error_message = "alb_5xx_threshold must not be negative."
  }
}

# --- Alarms: database ---------------------------------------------------------------------------------------

variable "database_engine" {
  description = "\"rds\" (DBInstanceIdentifier dimension, FreeStorageSpace) or \"aurora\" (DBClusterIdentifier dimension, FreeLocalStorage)."
  type        = string
  default     = "rds"

  validation {
    condition     = contains(["rds", "aurora"], var.database_engine)
    error_message = "database_engine must be rds or aurora."
  }
}

variable "database_identifier" {
  description = "DB instance identifier (rds) or DB cluster identifier (aurora); null skips the database alarms."
  type        = string
  default     = null
}

variable "database_cpu_threshold" {
  description = "Database average CPUUtilization (%) above which the CPU alarm fires."
  type        = number
  default     = 80

  validation {
    condition     = var.database_cpu_threshold > 0 && var.database_cpu_threshold <= 100
    error_message = "database_cpu_threshold must be a percentage in (0, 100]."
  }
}

variable "database_free_storage_threshold_bytes" {
  description = "Free storage (FreeStorageSpace for rds, FreeLocalStorage for aurora) in bytes below which the storage alarm fires."
  type        = number
  default     = 2147483648

  validation {
    condition     = var.database_free_storage_threshold_bytes > 0
    error_message = "database_free_storage_threshold_bytes must be positive."
  }
}

# --- Alarms: NAT gateways -----------------------------------------------------------------------------------

variable "nat_gateway_ids" {
  description = "NAT gateway IDs to watch; empty (no NAT, the staging profile) skips the NAT alarms."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.nat_gateway_ids : can(regex("^nat-[0-9a-f]+$", id))])
    error_message = "Each NAT gateway ID must look like nat-<hex>."
  }
}

variable "nat_bytes_out_threshold" {
  description = "Bytes a NAT gateway may send to destinations (BytesOutToDestination, summed over one day) before its alarm fires; default 10 GiB."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.nat_bytes_out_threshold > 0
    error_message = "nat_bytes_out_threshold must be positive."
  }
}

# --- Budget -------------------------------------------------------------------------------------------------

variable "monthly_budget_usd" {
  description = "Monthly cost budget in USD; null skips the budget."
  type        = number
  default     = 100

  validation {
    condition     = var.monthly_budget_usd == null || try(var.monthly_budget_usd > 0, false)
    error_message = "monthly_budget_usd must be null or a positive amount."
  }
}

variable "budget_alert_thresholds" {
  description = "Percentages of the monthly budget at which actual spend is notified."
  type        = list(number)
  default     = [80, 100]

  validation {
    condition     = length(var.budget_alert_thresholds) > 0 && alltrue([for t in var.budget_alert_thresholds : t > 0 && t <= 1000])
    error_message = "budget_alert_thresholds must list at least one percentage in (0, 1000]."
  }

  validation {
    condition     = length(var.budget_alert_thresholds) == length(distinct(var.budget_alert_thresholds))
    error_message = "budget_alert_thresholds must not repeat a percentage."
  }
}

variable "budget_notify_topic" {
  description = "Send the budget notifications to the alerts topic."
  type        = bool
  default     = true
}

variable "budget_email_addresses" {
  description = "E-mail addresses AWS Budgets notifies directly (at most 10), besides or instead of the topic."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.budget_email_addresses) <= 10 && alltrue([for a in var.budget_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", a))])
    error_message = "budget_email_addresses must hold at most 10 e-mail addresses."
  }

  validation {
    condition     = var.budget_notify_topic || length(var.budget_email_addresses) > 0
    error_message = "Budget notifications need a subscriber: set budget_notify_topic = true or list budget_email_addresses."
  }
}

variable "budget_cost_filters" {
  description = "Cost filters of the budget (AWS Budgets filter name => values), e.g. { TagKeyValue = [\"user:Environment$staging\"] }; empty = the whole account."
  type        = map(list(string))
  default     = {}
}
