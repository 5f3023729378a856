output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = module.security.alb_security_group_id
}

output "ecs_tasks_security_group_id" {
  description = "Security group of the ECS tasks."
  value       = module.security.ecs_tasks_security_group_id
}

output "database_security_group_id" {
  description = "Security group of the database."
  value       = module.security.database_security_group_id
}

output "alb_ingress_cidr_blocks" {
  description = "CIDR blocks the ALB accepts traffic from."
  value       = module.security.alb_ingress_cidr_blocks
}

output "task_execution_role_arn" {
  description = "ARN of the ECS task execution role."
  value       = module.security.task_execution_role_arn
}

output "task_execution_role_name" {
  description = "Name of the ECS task execution role."
  value       = module.security.task_execution_role_name
}

output "task_role_arn" {
  description = "ARN of the ECS task role."
  value       = module.security.task_role_arn
}

output "task_role_name" {
  description = "Name of the ECS task role."
  value       = module.security.task_role_name
}

output "waf_web_acl_arn" {
  description = "ARN of the WAFv2 web ACL for the ALB; null without WAF."
  value       = module.security.waf_web_acl_arn
}

output "waf_log_group_name" {
  description = "Log group of the web ACL; null without WAF."
  value       = module.security.waf_log_group_name
}

output "parameter_path" {
  description = "SSM path the task roles may read: \"/{service}/{environment}/\"."
  value       = module.security.parameter_path
}
