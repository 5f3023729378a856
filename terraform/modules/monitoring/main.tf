data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Every alarm this module creates is named "<prefix>-..."; the topic policy lets only those publish.
  alarm_arn_pattern = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.prefix}-*"

  alarm_actions = [aws_sns_topic.alerts.arn]
  ok_actions    = var.notify_on_ok ? [aws_sns_topic.alerts.arn] : []
}
