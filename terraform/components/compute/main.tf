module "compute" {
  source = "../../modules/compute"

  name = var.prefix

  vpc_id                  = var.vpc_id
  public_subnet_ids       = var.public_subnet_ids
  private_subnet_ids      = var.private_subnet_ids
  tasks_in_public_subnets = var.tasks_in_public_subnets
  alb_security_group_ids  = [var.alb_security_group_id]
  task_security_group_ids = [var.ecs_tasks_security_group_id]

  task_execution_role_arn = var.task_execution_role_arn
  task_role_arn           = var.task_role_arn

  services           = var.services
  default_service    = "web"
  repository_urls    = var.repository_urls
  images             = var.images
  common_environment = var.common_environment
  common_secrets     = var.common_secrets

  container_insights                = var.container_insights
  log_retention_days                = var.log_retention_days
  log_kms_key_arn                   = var.log_kms_key_arn
  health_check_grace_period_seconds = var.health_check_grace_period_seconds
  autoscaling                       = var.autoscaling

  certificate_arn                  = var.certificate_arn
  ssl_policy                       = var.ssl_policy
  waf_web_acl_arn                  = var.waf_web_acl_arn
  alb_deletion_protection          = var.alb_deletion_protection
  alb_access_logs_bucket           = var.alb_access_logs_bucket
  alb_access_logs_prefix           = var.alb_access_logs_prefix
  health_check_interval            = var.health_check_interval
  health_check_unhealthy_threshold = var.health_check_unhealthy_threshold
}
