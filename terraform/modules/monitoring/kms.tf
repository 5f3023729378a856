# The alerts topic is encrypted with a customer managed key: CloudWatch alarms and AWS Budgets can publish to an
# encrypted topic only when the key policy lets their service principals use the key, which the AWS managed key
# (alias/aws/sns) never does.

locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.alerts[0].arn : var.kms_key_arn
}

data "aws_iam_policy_document" "kms" {
  count = local.create_kms_key ? 1 : 0

  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arn_pattern]
    }
  }

  statement {
    sid       = "BudgetsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "alerts" {
  count = local.create_kms_key ? 1 : 0

  description             = "Encrypts the ${var.prefix}-alerts SNS topic (CloudWatch alarms and AWS Budgets publish to it)."
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = merge(var.tags, { Name = "${var.prefix}-alerts" })
}

resource "aws_kms_alias" "alerts" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.prefix}-alerts"
  target_key_id = aws_kms_key.alerts[0].key_id
}
