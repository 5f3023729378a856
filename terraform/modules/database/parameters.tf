################################################################################
# Connection parameters for the tunnel and migration roles
################################################################################

locals {
  endpoint               = local.is_aurora ? aws_rds_cluster.this[0].endpoint : aws_db_instance.this[0].address
  port                   = local.is_aurora ? aws_rds_cluster.this[0].port : aws_db_instance.this[0].port
  master_user_secret_arn = local.is_aurora ? aws_rds_cluster.this[0].master_user_secret[0].secret_arn : aws_db_instance.this[0].master_user_secret[0].secret_arn

  connection_parameters = {
    DB_HOST       = local.endpoint
    DB_PORT       = tostring(local.port)
    DB_NAME       = var.db_name
    DB_USER       = var.master_username
    DB_SECRET_ARN = local.master_user_secret_arn
  }
}

resource "aws_ssm_parameter" "connection" {
  for_each = local.connection_parameters

  #checkov:skip=CKV2_AWS_34:connection metadata (host, port, names, the secret's ARN), not a secret; the password stays in Secrets Manager

  name        = "${var.parameter_path}${each.key}"
  description = "${each.key} of ${local.identifier} (managed by Terraform, component database)"
  type        = "String"
  value       = each.value

  tags = local.tags
}
