# Database CPU and free storage (AWS/RDS): RDS instances by DBInstanceIdentifier with FreeStorageSpace, Aurora
# clusters by DBClusterIdentifier with FreeLocalStorage. Skipped without a database identifier.

locals {
  database_alarms    = var.database_identifier == null ? 0 : 1
  database_dimension = var.database_engine == "aurora" ? "DBClusterIdentifier" : "DBInstanceIdentifier"
  database_storage   = var.database_engine == "aurora" ? "FreeLocalStorage" : "FreeStorageSpace"
}

resource "aws_cloudwatch_metric_alarm" "database_cpu" {
  count = local.database_alarms

  alarm_name          = "${var.prefix}-db-cpu-high"
  alarm_description   = "Database ${var.database_identifier} average CPU above ${var.database_cpu_threshold}% for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.database_cpu_threshold
  treat_missing_data  = var.treat_missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  dimensions = {
    (local.database_dimension) = var.database_identifier
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "database_storage" {
  count = local.database_alarms

  alarm_name          = "${var.prefix}-db-storage-low"
  alarm_description   = "Database ${var.database_identifier} ${local.database_storage} below ${var.database_free_storage_threshold_bytes} bytes."
  namespace           = "AWS/RDS"
  metric_name         = local.database_storage
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.database_free_storage_threshold_bytes
  treat_missing_data  = var.treat_missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  dimensions = {
    (local.database_dimension) = var.database_identifier
  }

  tags = var.tags
}
