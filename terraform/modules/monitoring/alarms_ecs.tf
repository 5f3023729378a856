# ECS service CPU and memory (AWS/ECS, ClusterName + ServiceName): skipped without a cluster or services.

locals {
  ecs_services = var.cluster_name == null ? {} : var.service_names
}

resource "aws_cloudwatch_metric_alarm" "ecs_cpu" {
  for_each = local.ecs_services

  alarm_name          = "${var.prefix}-ecs-${each.key}-cpu-high"
  alarm_description   = "ECS service ${each.value} average CPU above ${var.ecs_cpu_threshold}% for 15 minutes."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_cpu_threshold
  treat_missing_data  = var.treat_missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = each.value
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "ecs_memory" {
  for_each = local.ecs_services

  alarm_name          = "${var.prefix}-ecs-${each.key}-memory-high"
  alarm_description   = "ECS service ${each.value} average memory above ${var.ecs_memory_threshold}% for 15 minutes."
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_memory_threshold
  treat_missing_data  = var.treat_missing_data
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = each.value
  }

  tags = var.tags
}
