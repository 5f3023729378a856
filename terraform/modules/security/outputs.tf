output "alb_security_group_id" {
  description = "Security group of the ALB (80/443 from allowed_cidr_blocks)."
  value       = aws_security_group.alb.id
}

output "ecs_tasks_security_group_id" {
  description = "Security group of the ECS tasks (container ports from the ALB)."
  value       = aws_security_group.ecs_tasks.id
}

output "database_security_group_id" {
  description = "Security group of the database (database port from the ECS tasks)."
  value       = aws_security_group.database.id
}

output "alb_ingress_cidr_blocks" {
  description = "CIDR blocks the ALB accepts traffic from (0.0.0.0/0 and ::/0 when public with no list)."
  value       = local.alb_ingress_cidrs
}

output "task_execution_role_arn" {
  description = "ARN of the ECS task execution role."
  value       = aws_iam_role.task_execution.arn
}

output "task_execution_role_name" {
  description = "Name of the ECS task execution role (for policies other components attach, e.g. a secret created downstream)."
  value       = aws_iam_role.task_execution.name
}

output "task_role_arn" {
  description = "ARN of the ECS task role."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the ECS task role."
  value       = aws_iam_role.task.name
}

output "waf_web_acl_arn" {
  description = "ARN of the WAFv2 web ACL for the ALB; null when enable_waf is false."
  value       = one(aws_wafv2_web_acl.this[*].arn)
}

output "waf_log_group_name" {
  description = "Log group of the web ACL; null when enable_waf is false."
  value       = one(aws_cloudwatch_log_group.waf[*].name)
}

output "parameter_path" {
  description = "SSM Parameter Store path the task roles may read (\"/{service}/{environment}/\")."
  value       = var.parameter_path
}
