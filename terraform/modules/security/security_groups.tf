# Three groups, each rule a resource of its own (no inline rules, so the groups can reference each other):
#   ALB       in: 80/443 from allowed_cidr_blocks        out: container ports to the ECS tasks
#   ECS tasks in: container ports from the ALB           out: 443 anywhere (ECR, S3, SSM, CloudWatch Logs,
#                                                             Secrets Manager, through endpoints or the
#                                                             internet), the database port to the database,
#                                                             ecs_tasks_additional_egress
#   database  in: the database port from the ECS tasks   out: nothing (replies to allowed traffic only)
# AWS's default allow-all egress rule is removed by Terraform when it creates each group.
# The groups are attached by other components (compute: ALB and services; database: the DB), hence the
# CKV2_AWS_5 skips.

locals {
  alb_ingress_ports = [80, 443]

  # allow_public_ingress with no list means everyone, over IPv4 and IPv6.
  alb_ingress_cidrs = length(var.allowed_cidr_blocks) > 0 ? var.allowed_cidr_blocks : (var.allow_public_ingress ? ["0.0.0.0/0", "::/0"] : [])

  alb_ingress = {
    for pair in setproduct(local.alb_ingress_cidrs, local.alb_ingress_ports) : "${pair[1]}-${pair[0]}" => {
      cidr = pair[0]
      port = pair[1]
    }
  }

  container_ports = toset([for p in var.container_ports : tostring(p)])

  ecs_tasks_additional_egress = merge([
    for i, rule in var.ecs_tasks_additional_egress : {
      for cidr in rule.cidr_blocks : "${i}-${cidr}" => merge(rule, { cidr = cidr, to_port = coalesce(rule.to_port, rule.from_port) })
    }
  ]...)
}

# --- ALB ---------------------------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to the load balancer by the compute component, which reads this group's ID.
  name        = "${var.prefix}-alb"
  description = "ALB of ${var.prefix}: HTTP and HTTPS from the allowed CIDR blocks only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.prefix}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = local.alb_ingress

  security_group_id = aws_security_group.alb.id
  description       = "Port ${each.value.port} from an allowed CIDR block"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = strcontains(each.value.cidr, ":") ? null : each.value.cidr
  cidr_ipv6         = strcontains(each.value.cidr, ":") ? each.value.cidr : null

  tags = merge(var.tags, { Name = "${var.prefix}-alb-in-${each.value.port}" })
}

resource "aws_vpc_security_group_egress_rule" "alb_to_ecs_tasks" {
  for_each = local.container_ports

  security_group_id            = aws_security_group.alb.id
  description                  = "Container port ${each.value} to the ECS tasks (forwarding and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.ecs_tasks.id

  tags = merge(var.tags, { Name = "${var.prefix}-alb-out-${each.value}" })
}

# --- ECS tasks ---------------------------------------------------------------------------------------------

resource "aws_security_group" "ecs_tasks" {
  #checkov:skip=CKV2_AWS_5:Attached to the ECS services by the compute component, which reads this group's ID.
  name        = "${var.prefix}-ecs-tasks"
  description = "ECS tasks of ${var.prefix}: container ports from the ALB only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.prefix}-ecs-tasks" })
}

resource "aws_vpc_security_group_ingress_rule" "ecs_tasks_from_alb" {
  for_each = local.container_ports

  security_group_id            = aws_security_group.ecs_tasks.id
  description                  = "Container port ${each.value} from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.alb.id

  tags = merge(var.tags, { Name = "${var.prefix}-ecs-tasks-in-${each.value}" })
}

resource "aws_vpc_security_group_egress_rule" "ecs_tasks_https" {
  security_group_id = aws_security_group.ecs_tasks.id
  description       = "HTTPS to AWS APIs (ECR, S3, SSM, CloudWatch Logs, Secrets Manager) and external services"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = merge(var.tags, { Name = "${var.prefix}-ecs-tasks-out-https" })
}

resource "aws_vpc_security_group_egress_rule" "ecs_tasks_to_database" {
  security_group_id            = aws_security_group.ecs_tasks.id
  description                  = "Database port to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.database.id

  tags = merge(var.tags, { Name = "${var.prefix}-ecs-tasks-out-database" })
}

resource "aws_vpc_security_group_egress_rule" "ecs_tasks_additional" {
  for_each = local.ecs_tasks_additional_egress

  security_group_id = aws_security_group.ecs_tasks.id
  description       = each.value.description
  ip_protocol       = each.value.protocol
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  cidr_ipv4         = each.value.cidr

  tags = merge(var.tags, { Name = "${var.prefix}-ecs-tasks-out-${each.key}" })
}

# --- Database ----------------------------------------------------------------------------------------------

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached to the DB instance or Aurora cluster by the database component, which reads this group's ID.
  name        = "${var.prefix}-database"
  description = "Database of ${var.prefix}: the database port from the ECS tasks only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.prefix}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database_from_ecs_tasks" {
  security_group_id            = aws_security_group.database.id
  description                  = "Database port from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.ecs_tasks.id

  tags = merge(var.tags, { Name = "${var.prefix}-database-in" })
}
