################################################################################
# Services
################################################################################

resource "aws_ecs_service" "this" {
  #checkov:skip=CKV_AWS_333:Public IPs only with tasks_in_public_subnets (the staging cost profile without a NAT gateway; ingress stays limited to the ALB's group); production runs the tasks in private subnets without them.
  for_each = var.services

  name             = "${var.name}-${each.key}"
  cluster          = aws_ecs_cluster.this.arn
  task_definition  = aws_ecs_task_definition.this[each.key].arn
  desired_count    = each.value.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # The DB tunnel and `aws ecs execute-command` need ECS Exec.
  enable_execute_command = true

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.task_subnet_ids
    security_groups  = var.task_security_group_ids
    assign_public_ip = var.tasks_in_public_subnets
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this[each.key].arn
    container_name   = each.key
    container_port   = each.value.container_port
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"

  tags = var.tags

  # A target group must belong to a load balancer (through a listener or rule) before a service can use it.
  depends_on = [
    aws_lb_listener.http,
    aws_lb_listener.https,
    aws_lb_listener_rule.this,
  ]

  lifecycle {
    # Scheduled stops (desired count 0 at night), autoscaling and manual scaling own the desired count after
    # creation: the next apply must not undo them.
    ignore_changes = [desired_count]
  }
}
