################################################################################
# Parameter groups: TLS only, DDL and slow statements logged
################################################################################

resource "aws_db_parameter_group" "this" {
  count = local.is_aurora ? 0 : 1

  name        = "${var.prefix}-postgres${local.major_version}"
  family      = "postgres${local.major_version}"
  description = "PostgreSQL ${local.major_version} parameters of ${local.identifier}"

  # Connections without TLS are refused.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = var.log_statement
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster_parameter_group" "this" {
  count = local.is_aurora ? 1 : 0

  name        = "${var.prefix}-aurora-postgresql${local.major_version}"
  family      = "aurora-postgresql${local.major_version}"
  description = "Aurora PostgreSQL ${local.major_version} parameters of ${local.identifier}"

  # Connections without TLS are refused.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = var.log_statement
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}
