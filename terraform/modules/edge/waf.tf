# The web ACL of a CloudFront distribution has scope CLOUDFRONT and must be created in us-east-1.

resource "aws_wafv2_web_acl" "this" {
  count    = var.enable_waf ? 1 : 0
  provider = aws.us_east_1

  #checkov:skip=CKV2_AWS_31:WAF logging is optional (waf_log_destination_arn); the managed rules' CloudWatch metrics and sampled requests are always on.
  name        = "${var.prefix}-edge"
  description = "AWS managed rules in front of the ${var.prefix} CloudFront distribution."
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = var.waf_rate_limit == null ? [] : [var.waf_rate_limit]

    content {
      name     = "rate-limit-per-ip"
      priority = 0

      action {
        block {}
      }

      statement {
        rate_based_statement {
          limit              = rule.value
          aggregate_key_type = "IP"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.prefix}-edge-rate-limit"
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = var.waf_managed_rule_groups

    content {
      name     = rule.value
      priority = rule.key + 1

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          name        = rule.value
          vendor_name = "AWS"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.prefix}-edge-${rule.value}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.prefix}-edge"
    sampled_requests_enabled   = true
  }

  tags = merge(var.tags, { Name = "${var.prefix}-edge" })
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count    = var.enable_waf && var.waf_log_destination_arn != null ? 1 : 0
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [var.waf_log_destination_arn]
}
