output "sns_topic_arn" {
  description = "ARN of the alerts topic every alarm and the budget notify."
  value       = aws_sns_topic.alerts.arn
}

output "sns_topic_name" {
  description = "Name of the alerts topic ({prefix}-alerts)."
  value       = aws_sns_topic.alerts.name
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the alerts topic (the module's own key, or kms_key_arn)."
  value       = local.kms_key_arn
}

output "alarm_arns" {
  description = "ARN of every alarm, by alarm name."
  value = merge(
    { for a in aws_cloudwatch_metric_alarm.ecs_cpu : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.ecs_memory : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.alb_5xx : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.target_5xx : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.unhealthy_hosts : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.database_cpu : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.database_storage : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.nat_bytes_out : a.alarm_name => a.arn },
  )
}

output "budget_name" {
  description = "Name of the monthly cost budget; null when there is none."
  value       = one(aws_budgets_budget.monthly[*].name)
}
