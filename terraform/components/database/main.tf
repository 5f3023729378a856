module "database" {
  source = "../../modules/database"

  prefix         = var.prefix
  parameter_path = "/${var.service}/${var.environment}/"

  engine                              = var.engine
  engine_version                      = var.engine_version
  instance_class                      = var.instance_class
  serverless_min_capacity             = var.serverless_min_capacity
  serverless_max_capacity             = var.serverless_max_capacity
  serverless_seconds_until_auto_pause = var.serverless_seconds_until_auto_pause
  aurora_instance_count               = var.aurora_instance_count

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = var.storage_type
  multi_az              = var.multi_az

  db_name         = var.db_name
  master_username = var.master_username
  port            = var.port

  subnet_ids         = var.private_subnet_ids
  security_group_ids = [var.database_security_group_id]

  kms_key_arn                    = var.kms_key_arn
  master_user_secret_kms_key_arn = var.master_user_secret_kms_key_arn

  backup_retention_days = var.backup_retention_days
  backup_window         = var.backup_window
  maintenance_window    = var.maintenance_window
  deletion_protection   = var.deletion_protection
  skip_final_snapshot   = var.skip_final_snapshot
  apply_immediately     = var.apply_immediately

  auto_minor_version_upgrade = var.auto_minor_version_upgrade

  iam_database_authentication_enabled = var.iam_database_authentication_enabled
  performance_insights_enabled        = var.performance_insights_enabled
  performance_insights_retention_days = var.performance_insights_retention_days
  monitoring_interval                 = var.monitoring_interval
  enabled_cloudwatch_logs_exports     = var.enabled_cloudwatch_logs_exports
  cloudwatch_log_retention_days       = var.cloudwatch_log_retention_days
  cloudwatch_log_kms_key_arn          = var.cloudwatch_log_kms_key_arn
  log_statement                       = var.log_statement
  log_min_duration_statement_ms       = var.log_min_duration_statement_ms
}
