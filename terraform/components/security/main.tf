module "security" {
  source = "../../modules/security"

  prefix         = var.prefix
  parameter_path = "/${var.service}/${var.environment}/"
  vpc_id         = var.vpc_id

  allowed_cidr_blocks         = var.allowed_cidr_blocks
  allow_public_ingress        = var.allow_public_ingress
  container_ports             = var.container_ports
  database_port               = var.database_port
  ecs_tasks_additional_egress = var.ecs_tasks_additional_egress

  secret_arns  = var.secret_arns
  kms_key_arns = var.kms_key_arns

  enable_waf             = var.enable_waf
  waf_rate_limit         = var.waf_rate_limit
  waf_log_retention_days = var.waf_log_retention_days
  waf_log_kms_key_arn    = var.waf_log_kms_key_arn

  tags = var.tags
}
