################################################################################
# Cluster
################################################################################

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

################################################################################
# Services and tasks
################################################################################

output "service_names" {
  description = "ECS service name per service key (web, api, ...)."
  value       = { for k, s in aws_ecs_service.this : k => s.name }
}

output "service_arns" {
  description = "ECS service ARN per service key."
  value       = { for k, s in aws_ecs_service.this : k => s.id }
}

output "container_names" {
  description = "Name of the (single, essential) container of each service's tasks, per service key (what ECS Exec targets)."
  value       = { for k in keys(var.services) : k => k }
}

output "container_ports" {
  description = "Container port per service key."
  value       = { for k, s in var.services : k => s.container_port }
}

output "task_definition_arns" {
  description = "ARN (with revision) of the task definition each service runs, per service key."
  value       = { for k, t in aws_ecs_task_definition.this : k => t.arn }
}

output "task_definition_families" {
  description = "Task definition family per service key."
  value       = { for k, t in aws_ecs_task_definition.this : k => t.family }
}

output "image_references" {
  description = "Image reference (<url>:<tag> or <url>@sha256:<digest>) each service's task definition runs, per service key."
  value       = local.image_references
}

output "log_group_names" {
  description = "CloudWatch log group per service key (/ecs/<name>/<key>)."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "log_group_arns" {
  description = "CloudWatch log group ARN per service key."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.arn }
}

output "task_subnet_ids" {
  description = "Subnets the tasks run in."
  value       = local.task_subnet_ids
}

output "autoscaling_policy_arns" {
  description = "Target tracking policy ARN per service key (empty when autoscaling is off)."
  value       = { for k, p in aws_appautoscaling_policy.cpu : k => p.arn }
}

################################################################################
# Load balancer
################################################################################

output "alb_arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (the LoadBalancer dimension of its CloudWatch metrics)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Route 53 hosted zone of the ALB (for alias records)."
  value       = aws_lb.this.zone_id
}

output "alb_url" {
  description = "Base URL of the application at the ALB (https:// with a certificate, http:// otherwise)."
  value       = "${local.https_enabled ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "http_listener_arn" {
  description = "ARN of the port 80 listener (a redirect to HTTPS when a certificate is given)."
  value       = aws_lb_listener.http.arn
}

output "https_listener_arn" {
  description = "ARN of the port 443 listener; null without a certificate."
  value       = try(aws_lb_listener.https[0].arn, null)
}

output "target_group_arns" {
  description = "Target group ARN per service key."
  value       = { for k, t in aws_lb_target_group.this : k => t.arn }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffix per service key (the TargetGroup dimension of its CloudWatch metrics)."
  value       = { for k, t in aws_lb_target_group.this : k => t.arn_suffix }
}
