################################################################################
# Aurora PostgreSQL Serverless v2 (engine = aurora)
################################################################################

resource "aws_rds_cluster" "this" {
  count = local.is_aurora ? 1 : 0

  #checkov:skip=CKV_AWS_139:deletion protection is the deletion_protection input: on in production, off in staging
  #checkov:skip=CKV_AWS_327:storage is always encrypted; a customer managed key is the kms_key_arn input (null = aws/rds)
  #checkov:skip=CKV2_AWS_8:backups are RDS automated backups (backup_retention_days) plus the final snapshot; AWS Backup plans are account-level, not per component

  cluster_identifier = local.identifier
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = local.engine_version

  database_name   = var.db_name
  master_username = var.master_username
  port            = var.port

  # RDS generates the password and keeps it in Secrets Manager: it is never in the state or the repository.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.master_user_secret_kms_key_arn

  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = var.security_group_ids
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this[0].name

  storage_encrypted = true
  kms_key_id        = var.kms_key_arn

  serverlessv2_scaling_configuration {
    min_capacity             = var.serverless_min_capacity
    max_capacity             = var.serverless_max_capacity
    seconds_until_auto_pause = var.serverless_min_capacity == 0 ? var.serverless_seconds_until_auto_pause : null
  }

  backup_retention_period      = var.backup_retention_days
  preferred_backup_window      = var.backup_window
  preferred_maintenance_window = var.maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = var.skip_final_snapshot
  final_snapshot_identifier    = local.final_snapshot_identifier

  iam_database_authentication_enabled = var.iam_database_authentication_enabled
  enabled_cloudwatch_logs_exports     = var.enabled_cloudwatch_logs_exports
  apply_immediately                   = var.apply_immediately

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.this]

  lifecycle {
    # The name is taken once, at creation (timestamp() would change on every plan).
    ignore_changes = [final_snapshot_identifier]
  }
}

resource "aws_rds_cluster_instance" "this" {
  count = local.is_aurora ? var.aurora_instance_count : 0

  #checkov:skip=CKV_AWS_354:Performance Insights is encrypted with kms_key_arn when given, else with the AWS managed key aws/rds

  identifier         = "${local.identifier}-${count.index + 1}"
  cluster_identifier = aws_rds_cluster.this[0].id
  engine             = aws_rds_cluster.this[0].engine
  engine_version     = aws_rds_cluster.this[0].engine_version
  instance_class     = "db.serverless"

  db_subnet_group_name  = aws_db_subnet_group.this.name
  publicly_accessible   = false
  copy_tags_to_snapshot = true

  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_kms_key_id       = var.performance_insights_enabled ? var.kms_key_arn : null
  performance_insights_retention_period = var.performance_insights_enabled ? var.performance_insights_retention_days : null
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  auto_minor_version_upgrade = var.auto_minor_version_upgrade
  apply_immediately          = var.apply_immediately

  tags = local.tags
}
