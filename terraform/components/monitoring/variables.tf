# The component's own inputs; defaults are the staging profile. aws_region, aws_endpoints, service, environment
# and prefix come from component.tf. Every upstream input may be null/empty: its alarm family is then skipped,
# so monitoring runs with whichever of compute, database and network the environment has.

variable "alarm_email" {
  description = "E-mail address subscribed to the alerts topic; null for none."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the alerts topic (its policy must allow cloudwatch and budgets); null = the module creates one."
  type        = string
  default     = null
}

variable "notify_on_ok" {
  description = "Also notify the topic when an alarm returns to OK."
  type        = bool
  default     = true
}

variable "cluster_name" {
  description = "ECS cluster name (compute.cluster_name); null skips the ECS alarms."
  type        = string
  default     = null
}

variable "service_names" {
  description = "ECS service names by short name (compute.service_names); empty skips the ECS alarms."
  type        = map(string)
  default     = {}
}

variable "ecs_cpu_threshold" {
  description = "ECS service CPU (%) alarm threshold."
  type        = number
  default     = 80
}

variable "ecs_memory_threshold" {
  description = "ECS service memory (%) alarm threshold."
  type        = number
  default     = 80
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix (compute.alb_arn_suffix); null skips the ALB alarms."
  type        = string
  default     = null
}

variable "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by short name (compute.target_group_arn_suffixes); empty skips the per-target-group alarms."
  type        = map(string)
  default     = {}
}

variable "alb_5xx_threshold" {
  description = "5xx responses per 5 minutes above which the ALB and target 5xx alarms fire."
  type        = number
  default     = 10
}

variable "database_engine" {
  description = "\"rds\" or \"aurora\" (database.engine): picks the dimension and the free-storage metric."
  type        = string
  default     = "rds"

  validation {
    condition     = contains(["rds", "aurora"], var.database_engine)
    error_message = "database_engine must be rds or aurora."
  }
}

variable "database_identifier" {
  description = "DB instance or Aurora cluster identifier (database.identifier); null skips the database alarms."
  type        = string
  default     = null
}

variable "database_cpu_threshold" {
  description = "Database CPU (%) alarm threshold."
  type        = number
  default     = 80
}

variable "database_free_storage_threshold_bytes" {
  description = "Free storage in bytes below which the database storage alarm fires (default 2 GiB)."
  type        = number
  default     = 2147483648
}

variable "nat_gateway_ids" {
  description = "NAT gateway IDs (network.nat_gateway_ids); empty (staging, no NAT) skips the NAT alarms."
  type        = list(string)
  default     = []
}

variable "nat_bytes_out_threshold" {
  description = "Bytes per day a NAT gateway may send to destinations before its alarm fires (default 10 GiB, the seed's alarm)."
  type        = number
  default     = 10737418240
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget in USD (default: the staging seed's ~$80-90 a month plus headroom); null skips the budget."
  type        = number
  default     = 100
}

variable "budget_alert_thresholds" {
  description = "Percentages of the budget at which actual spend is notified."
  type        = list(number)
  default     = [80, 100]
}

variable "budget_notify_topic" {
  description = "Send budget notifications to the alerts topic."
  type        = bool
  default     = true
}

variable "budget_email_addresses" {
  description = "E-mail addresses AWS Budgets notifies directly."
  type        = list(string)
  default     = []
}

variable "budget_cost_filters" {
  description = "Budget cost filters (filter name => values), e.g. { TagKeyValue = [\"user:Environment$staging\"] }; empty = whole account."
  type        = map(list(string))
  default     = {}
}
