# Monthly cost budget, notified on actual spend at each threshold; skipped when monthly_budget_usd is null.

resource "aws_budgets_budget" "monthly" {
  count = var.monthly_budget_usd == null ? 0 : 1

  # Explicit, so the ID (AccountID:BudgetName) never depends on the provider looking up its account.
  account_id   = local.account_id
  name         = "${var.prefix}-monthly-cost"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    for_each = var.budget_cost_filters

    content {
      name   = cost_filter.key
      values = cost_filter.value
    }
  }

  dynamic "notification" {
    for_each = var.budget_alert_thresholds

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value
      threshold_type             = "PERCENTAGE"
      notification_type          = "ACTUAL"
      subscriber_sns_topic_arns  = var.budget_notify_topic ? [aws_sns_topic.alerts.arn] : []
      subscriber_email_addresses = var.budget_email_addresses
    }
  }

  tags = var.tags

  # Budgets checks the topic policy when a notification is created.
  depends_on = [aws_sns_topic_policy.alerts]
}
