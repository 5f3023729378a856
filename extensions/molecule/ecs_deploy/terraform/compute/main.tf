# A stand-in for terraform/components/compute with the interface role ecs_deploy relies on (the images input, and
# the outputs cluster_name, service_names, task_definition_arns, images, image_references), small enough to apply in
# seconds: one ECS cluster, and per service key a task definition and a Fargate service in the default VPC.

variable "images" {
  description = "The image per service key: a tag, or a digest sha256:<64 hex digits>."
  type        = map(string)

  validation {
    condition     = alltrue([for image in values(var.images) : can(regex("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$", image))])
    error_message = "Each image must be a tag or a digest sha256:<64 lower-case hex digits>."
  }
}

locals {
  registry = "123456789012.dkr.ecr.${var.aws_region}.amazonaws.com"
  image_references = {
    for key, image in var.images :
    key => startswith(image, "sha256:") ? "${local.registry}/${var.prefix}-${key}@${image}" : "${local.registry}/${var.prefix}-${key}:${image}"
  }
}

data "aws_subnets" "default" {
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

resource "aws_ecs_cluster" "this" {
  name = "${var.prefix}-cluster"
}

resource "aws_ecs_task_definition" "service" {
  for_each = var.images

  family                   = "${var.prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name      = each.key
    image     = local.image_references[each.key]
    essential = true
  }])
}

resource "aws_ecs_service" "service" {
  for_each = var.images

  name            = "${var.prefix}-${each.key}"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.service[each.key].arn
  desired_count   = 1
  launch_type     = "FARGATE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = slice(data.aws_subnets.default.ids, 0, 1)
    assign_public_ip = true
  }
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service name per service key."
  value       = { for key, service in aws_ecs_service.service : key => service.name }
}

output "task_definition_arns" {
  description = "Task definition ARN (with revision) per service key."
  value       = { for key, definition in aws_ecs_task_definition.service : key => definition.arn }
}

output "images" {
  description = "The image per service key as given."
  value       = var.images
}

output "image_references" {
  description = "The image reference each service runs, per service key."
  value       = local.image_references
}
