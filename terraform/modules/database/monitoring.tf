################################################################################
# Exported log groups and the Enhanced Monitoring role
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_group_names

  #checkov:skip=CKV_AWS_338:retention is the cloudwatch_log_retention_days input (7 days in the staging cost profile)
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log groups by default; a customer managed key is the cloudwatch_log_kms_key_arn input

  name              = each.value
  retention_in_days = var.cloudwatch_log_retention_days
  kms_key_id        = var.cloudwatch_log_kms_key_arn

  tags = local.tags
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "monitoring_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  name               = "${var.prefix}-rds-monitoring"
  description        = "Enhanced Monitoring of ${local.identifier}"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume_role.json

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
