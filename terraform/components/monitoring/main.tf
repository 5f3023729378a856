module "monitoring" {
  source = "../../modules/monitoring"

  prefix = var.prefix

  alarm_email  = var.alarm_email
  kms_key_arn  = var.kms_key_arn
  notify_on_ok = var.notify_on_ok

  cluster_name         = var.cluster_name
  service_names        = var.service_names
  ecs_cpu_threshold    = var.ecs_cpu_threshold
  ecs_memory_threshold = var.ecs_memory_threshold

  alb_arn_suffix            = var.alb_arn_suffix
  target_group_arn_suffixes = var.target_group_arn_suffixes
  alb_5xx_threshold         = var.alb_5xx_threshold

  database_engine                       = var.database_engine
  database_identifier                   = var.database_identifier
  database_cpu_threshold                = var.database_cpu_threshold
  database_free_storage_threshold_bytes = var.database_free_storage_threshold_bytes

  nat_gateway_ids         = var.nat_gateway_ids
  nat_bytes_out_threshold = var.nat_bytes_out_threshold

  monthly_budget_usd      = var.monthly_budget_usd
  budget_alert_thresholds = var.budget_alert_thresholds
  budget_notify_topic     = var.budget_notify_topic
  budget_email_addresses  = var.budget_email_addresses
  budget_cost_filters     = var.budget_cost_filters
}
