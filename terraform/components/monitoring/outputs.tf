output "sns_topic_arn" {
  description = "ARN of the alerts topic."
  value       = module.monitoring.sns_topic_arn
}

output "sns_topic_name" {
  description = "Name of the alerts topic."
  value       = module.monitoring.sns_topic_name
}

output "kms_key_arn" {
  description = "KMS key encrypting the alerts topic."
  value       = module.monitoring.kms_key_arn
}

output "alarm_arns" {
  description = "ARN of every alarm, by alarm name."
  value       = module.monitoring.alarm_arns
}

output "budget_name" {
  description = "Name of the monthly cost budget (null when none)."
  value       = module.monitoring.budget_name
}
