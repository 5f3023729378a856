locals {
  is_aurora = var.engine == "aurora"

  engine_version = coalesce(var.engine_version, local.is_aurora ? "17.4" : "17")
  major_version  = split(".", local.engine_version)[0]

  # DB instance identifier (rds) or DB cluster identifier (aurora).
  identifier = local.is_aurora ? "${var.prefix}-aurora" : "${var.prefix}-postgres"

  # Where RDS writes the exported logs; the groups are created here first so they get a retention.
  log_group_names = {
    for log in var.enabled_cloudwatch_logs_exports :
    log => "/aws/rds/${local.is_aurora ? "cluster" : "instance"}/${local.identifier}/${log}"
  }

  # A final snapshot name unique per instance/cluster: the creation time, frozen by ignore_changes.
  final_snapshot_identifier = "${var.prefix}-final-${formatdate("YYYYMMDD-hhmmss", timestamp())}"

  tags = merge(var.tags, { Component = "database" })
}

################################################################################
# Subnet group
################################################################################

resource "aws_db_subnet_group" "this" {
  name        = "${var.prefix}-db"
  description = "Private subnets of ${local.identifier}"
  subnet_ids  = var.subnet_ids

  tags = local.tags
}
