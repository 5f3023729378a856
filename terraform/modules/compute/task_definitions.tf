################################################################################
# Task definitions
################################################################################

resource "aws_ecs_task_definition" "this" {
  for_each = var.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = var.task_execution_role_arn
  task_role_arn            = var.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = each.value.cpu_architecture
  }

  # Sorted lists, so that the definition Terraform writes is the one ECS returns (no perpetual diff).
  container_definitions = jsonencode([
    {
      name      = each.key
      image     = local.image_references[each.key]
      essential = true
      # ECS Exec (the DB tunnel) runs an SSM agent in the container that must write to the root filesystem.
      readonlyRootFilesystem = false
      portMappings = [
        {
          name          = "${each.key}-${each.value.container_port}"
          containerPort = each.value.container_port
          hostPort      = each.value.container_port
          protocol      = "tcp"
          appProtocol   = "http"
        }
      ]
      environment = [for k in sort(keys(local.environment[each.key])) : { name = k, value = local.environment[each.key][k] }]
      secrets     = [for k in sort(keys(local.secrets[each.key])) : { name = k, valueFrom = local.secrets[each.key][k] }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
          awslogs-region        = data.aws_region.current.id
          awslogs-stream-prefix = each.key
        }
      }
      # ECS Exec runs the SSM agent inside the container.
      linuxParameters = {
        initProcessEnabled = true
      }
      mountPoints    = []
      volumesFrom    = []
      systemControls = []
    }
  ])

  tags = var.tags
}
