################################################################################
# Application Load Balancer
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150:Deletion protection is the alb_deletion_protection input: off in staging (the seed's profile), on in production.
  #checkov:skip=CKV2_AWS_76:The web ACL (and its managed rule groups, Log4j's included) belongs to the security component; this module only associates it.
  #checkov:skip=CKV2_AWS_20:aws_lb_listener.http redirects HTTP to HTTPS whenever certificate_arn is set; without a certificate HTTP is the only listener.
  name               = local.alb_name
  load_balancer_type = "application"
  internal           = false
  ip_address_type    = "ipv4"
  subnets            = var.public_subnet_ids
  security_groups    = var.alb_security_group_ids

  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = var.alb_idle_timeout

  dynamic "access_logs" {
    for_each = var.alb_access_logs_bucket == null ? [] : [var.alb_access_logs_bucket]

    content {
      enabled = true
      bucket  = access_logs.value
      prefix  = coalesce(var.alb_access_logs_prefix, var.name)
    }
  }

  tags = merge(var.tags, { Name = local.alb_name })
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the ALB's HTTPS listener; the ALB reaches the tasks over HTTP inside the VPC, only from its own security group.
  for_each = var.services

  name                 = local.target_group_names[each.key]
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  protocol_version     = "HTTP1"
  port                 = each.value.container_port
  deregistration_delay = var.deregistration_delay

  # Interval 60 and unhealthy threshold 10: the seed's fix for tasks that restarted in a loop while starting up.
  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = each.value.health_check_path
    matcher             = each.value.health_check_matcher
    interval            = var.health_check_interval
    timeout             = var.health_check_timeout
    healthy_threshold   = var.health_check_healthy_threshold
    unhealthy_threshold = var.health_check_unhealthy_threshold
  }

  tags = merge(var.tags, { Name = local.target_group_names[each.key] })
}

################################################################################
# Listeners: HTTPS with an HTTP redirect when a certificate is given, HTTP only otherwise
################################################################################

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:With certificate_arn this listener only redirects to HTTPS; without one (staging behind the IP allow-list, local) HTTP is the only listener.
  #checkov:skip=CKV_AWS_103:Plain HTTP listener (redirect or certificate-less environments); the HTTPS listener enforces TLS 1.2+.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  dynamic "default_action" {
    for_each = local.https_enabled ? [1] : []

    content {
      type = "redirect"

      redirect {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }

  dynamic "default_action" {
    for_each = local.https_enabled ? [] : [1]

    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.this[var.default_service].arn
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count = local.https_enabled ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[var.default_service].arn
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "this" {
  for_each = local.routed_services

  listener_arn = local.https_enabled ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
  priority     = local.rule_priorities[each.key]

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    path_pattern {
      values = each.value.path_patterns
    }
  }

  tags = var.tags
}

################################################################################
# WAF
################################################################################

resource "aws_wafv2_web_acl_association" "this" {
  count = var.waf_web_acl_arn == null ? 0 : 1

  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.waf_web_acl_arn
}
