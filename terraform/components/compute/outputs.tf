output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.compute.cluster_name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = module.compute.cluster_arn
}

output "service_names" {
  description = "ECS service name per service (web, api)."
  value       = module.compute.service_names
}

output "service_arns" {
  description = "ECS service ARN per service."
  value       = module.compute.service_arns
}

output "container_names" {
  description = "Container name per service (the ECS Exec target of the DB tunnel)."
  value       = module.compute.container_names
}

output "container_ports" {
  description = "Container port per service."
  value       = module.compute.container_ports
}

output "task_definition_arns" {
  description = "Task definition ARN (with revision) per service."
  value       = module.compute.task_definition_arns
}

output "task_definition_families" {
  description = "Task definition family per service."
  value       = module.compute.task_definition_families
}

output "images" {
  description = "The image per service key as given (a tag or sha256 digest): the images playbooks/infra.yml keeps running until playbooks/deploy.yml rolls out others."
  value       = var.images
}

output "image_references" {
  description = "Image reference each service runs, per service."
  value       = module.compute.image_references
}

output "log_group_names" {
  description = "CloudWatch log group per service (/ecs/{prefix}/{service})."
  value       = module.compute.log_group_names
}

output "task_subnet_ids" {
  description = "Subnets the tasks run in."
  value       = module.compute.task_subnet_ids
}

output "alb_arn" {
  description = "ARN of the ALB."
  value       = module.compute.alb_arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch LoadBalancer dimension)."
  value       = module.compute.alb_arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB (edge's origin)."
  value       = module.compute.alb_dns_name
}

output "alb_zone_id" {
  description = "Route 53 hosted zone of the ALB."
  value       = module.compute.alb_zone_id
}

output "alb_url" {
  description = "Base URL of the application at the ALB."
  value       = module.compute.alb_url
}

output "target_group_arns" {
  description = "Target group ARN per service."
  value       = module.compute.target_group_arns
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffix per service (CloudWatch TargetGroup dimension)."
  value       = module.compute.target_group_arn_suffixes
}
