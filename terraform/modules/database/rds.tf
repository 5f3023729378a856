################################################################################
# RDS for PostgreSQL (engine = rds)
################################################################################

resource "aws_db_instance" "this" {
  count = local.is_aurora ? 0 : 1

  #checkov:skip=CKV_AWS_157:Multi-AZ is the multi_az input: off in the staging cost profile, on where the inventory sets it
  #checkov:skip=CKV_AWS_293:deletion protection is the deletion_protection input: on in production, off in staging (seed's profile)
  #checkov:skip=CKV_AWS_118:Enhanced Monitoring is the monitoring_interval input: off in staging (it bills CloudWatch Logs), on in production
  #checkov:skip=CKV2_AWS_30:false positive: checkov does not follow the counted parameter group, which sets log_statement and log_min_duration_statement
  #checkov:skip=CKV_AWS_354:Performance Insights is encrypted with kms_key_arn when given, else with the AWS managed key aws/rds

  identifier     = local.identifier
  engine         = "postgres"
  engine_version = local.engine_version
  instance_class = var.instance_class

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage > 0 ? var.max_allocated_storage : null
  storage_type          = var.storage_type
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_name  = var.db_name
  username = var.master_username
  port     = var.port

  # RDS generates the password and keeps it in Secrets Manager: it is never in the state or the repository.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.master_user_secret_kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = var.security_group_ids
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = aws_db_parameter_group.this[0].name

  backup_retention_period   = var.backup_retention_days
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = local.final_snapshot_identifier

  iam_database_authentication_enabled   = var.iam_database_authentication_enabled
  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_kms_key_id       = var.performance_insights_enabled ? var.kms_key_arn : null
  performance_insights_retention_period = var.performance_insights_enabled ? var.performance_insights_retention_days : null
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
  enabled_cloudwatch_logs_exports       = var.enabled_cloudwatch_logs_exports

  auto_minor_version_upgrade = var.auto_minor_version_upgrade
  apply_immediately          = var.apply_immediately

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.this]

  lifecycle {
    # The name is taken once, at creation (timestamp() would change on every plan).
    ignore_changes = [final_snapshot_identifier]
  }
}
