# Plan-only tests of the compute module against a mocked provider (no AWS, no emulator):
#   terraform init -backend=false && terraform test      (in a copy of this module, or with TF_DATA_DIR set)

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      id   = "ap-northeast-1"
      name = "ap-northeast-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

variables {
  name                    = "bookmark-manager-staging"
  vpc_id                  = "vpc-0123456789abcdef0"
  public_subnet_ids       = ["subnet-0000000000000000a", "subnet-0000000000000000b"]
  private_subnet_ids      = ["subnet-0000000000000000c", "subnet-0000000000000000d"]
  alb_security_group_ids  = ["sg-0000000000000000a"]
  task_security_group_ids = ["sg-0000000000000000b"]
  task_execution_role_arn = "arn:aws:iam::123456789012:role/bookmark-manager-staging-ecs-task-execution"
  task_role_arn           = "arn:aws:iam::123456789012:role/bookmark-manager-staging-ecs-task"
  services = {
    web = {}
    api = {
      health_check_path = "/api/health"
      path_patterns     = ["/api/*"]
      environment       = { NODE_ENV = "production" }
      secrets = {
        JWT_SECRET = "/bookmark-manager/staging/JWT_SECRET"
        DB_SECRET  = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf:password::"
      }
    }
  }
  repository_urls = {
    web = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-web"
    api = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-api"
  }
  images = {
    web = "v1.2.3"
    api = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}

run "staging_profile" {
  command = plan

  assert {
    condition     = aws_ecs_cluster.this.name == "bookmark-manager-staging-cluster"
    error_message = "cluster name"
  }

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "disabled"
    error_message = "Container Insights must be off by default"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this["web"].container_definitions)[0].image == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-web:v1.2.3"
    error_message = "a tag becomes <url>:<tag>"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this["api"].container_definitions)[0].image == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    error_message = "a digest becomes <url>@sha256:<hex>"
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this["api"].container_definitions)[0].secrets == [
      { name = "DB_SECRET", valueFrom = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf:password::" },
      { name = "JWT_SECRET", valueFrom = "arn:aws:ssm:ap-northeast-1:123456789012:parameter/bookmark-manager/staging/JWT_SECRET" },
    ]
    error_message = "SSM parameter names become parameter ARNs; ARNs pass through; sorted by name"
  }

  assert {
    condition     = aws_ecs_task_definition.this["web"].cpu == "256" && aws_ecs_task_definition.this["web"].memory == "512"
    error_message = "256 CPU / 512 MiB by default"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this["api"].name == "/ecs/bookmark-manager-staging/api" && aws_cloudwatch_log_group.this["api"].retention_in_days == 7
    error_message = "log group /ecs/<name>/<service>, 7 days"
  }

  assert {
    condition = alltrue([for s in aws_ecs_service.this : (
      s.enable_execute_command &&
      s.health_check_grace_period_seconds == 120 &&
      s.deployment_circuit_breaker[0].enable &&
      s.deployment_circuit_breaker[0].rollback &&
      s.propagate_tags == "SERVICE" &&
      s.network_configuration[0].assign_public_ip &&
      s.network_configuration[0].subnets == toset(var.public_subnet_ids)
    )])
    error_message = "services: ECS Exec, grace 120, circuit breaker with rollback, tags propagated, public subnets with public IPs"
  }

  assert {
    condition = alltrue([for t in aws_lb_target_group.this : (
      t.target_type == "ip" && t.health_check[0].interval == 60 && t.health_check[0].unhealthy_threshold == 10
    )])
    error_message = "target groups: ip targets, interval 60, unhealthy threshold 10"
  }

  assert {
    condition     = aws_lb_target_group.this["api"].health_check[0].path == "/api/health" && aws_lb_target_group.this["web"].health_check[0].path == "/"
    error_message = "health check path per service"
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && !aws_lb.this.enable_deletion_protection && aws_lb.this.name == "bookmark-manager-staging-alb"
    error_message = "ALB drops invalid headers; deletion protection off by default"
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && aws_lb_listener.http.default_action[0].type == "forward"
    error_message = "without a certificate: HTTP only, forwarding to web"
  }

  assert {
    condition     = keys(aws_lb_listener_rule.this) == ["api"] && flatten([for c in aws_lb_listener_rule.this["api"].condition : [for p in c.path_pattern : tolist(p.values)]]) == ["/api/*"]
    error_message = "/api/* goes to api"
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 0 && length(aws_appautoscaling_target.this) == 0
    error_message = "no WAF association and no autoscaling by default"
  }
}

run "production_profile" {
  command = plan

  variables {
    name                    = "bookmark-manager-production"
    tasks_in_public_subnets = false
    container_insights      = true
    log_retention_days      = 90
    alb_deletion_protection = true
    certificate_arn         = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    waf_web_acl_arn         = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/bookmark-manager-production/00000000-0000-0000-0000-000000000000"
    autoscaling             = { enabled = true, min_capacity = 2, max_capacity = 6 }
  }

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights on"
  }

  assert {
    condition = alltrue([for s in aws_ecs_service.this : (
      !s.network_configuration[0].assign_public_ip && s.network_configuration[0].subnets == toset(var.private_subnet_ids)
    )])
    error_message = "private subnets without public IPs"
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "HTTP redirects to HTTPS"
  }

  assert {
    condition     = aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" && aws_lb_listener.https[0].default_action[0].type == "forward"
    error_message = "HTTPS listener with the TLS 1.3 policy, forwarding to web"
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection && length(aws_wafv2_web_acl_association.this) == 1
    error_message = "deletion protection and WAF association"
  }

  assert {
    condition = alltrue([for t in aws_appautoscaling_target.this : t.min_capacity == 2 && t.max_capacity == 6]) && alltrue([
      for p in aws_appautoscaling_policy.cpu : p.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    ]) && length(aws_appautoscaling_policy.cpu) == 2
    error_message = "target tracking on CPU for every service"
  }
}

run "long_prefix_names_fit" {
  command = plan

  variables {
    name = "a-very-long-service-name-production-x"
  }

  assert {
    condition     = length(aws_lb.this.name) <= 32 && alltrue([for t in aws_lb_target_group.this : length(t.name) <= 32])
    error_message = "ALB and target group names stay within 32 characters"
  }
}

run "rejects_bad_image" {
  command = plan

  variables {
    images = { web = "v1.2.3", api = "sha256:XYZ" }
  }

  expect_failures = [var.images]
}

run "rejects_missing_image" {
  command = plan

  variables {
    images = { web = "v1.2.3" }
  }

  expect_failures = [var.images]
}

run "rejects_bad_fargate_size" {
  command = plan

  variables {
    services = { web = { cpu = 256, memory = 4096 } }
  }

  expect_failures = [var.services]
}

run "rejects_bad_secret_reference" {
  command = plan

  variables {
    services = { web = { secrets = { TOKEN = "arn:aws:s3:::bucket/key" } } }
  }

  expect_failures = [var.services]
}

run "private_tasks_need_private_subnets" {
  command = plan

  variables {
    tasks_in_public_subnets = false
    private_subnet_ids      = []
  }

  expect_failures = [var.tasks_in_public_subnets]
}
