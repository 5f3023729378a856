output "engine" {
  description = "rds or aurora, as given."
  value       = var.engine
}

output "engine_version" {
  description = "PostgreSQL version running (the actual version, e.g. 17.4)."
  value       = local.is_aurora ? aws_rds_cluster.this[0].engine_version_actual : aws_db_instance.this[0].engine_version_actual
}

output "identifier" {
  description = "DB instance identifier (rds) or DB cluster identifier (aurora): what CloudWatch alarms and the power/schedule roles address."
  value       = local.is_aurora ? aws_rds_cluster.this[0].cluster_identifier : aws_db_instance.this[0].identifier
}

output "arn" {
  description = "ARN of the DB instance (rds) or DB cluster (aurora)."
  value       = local.is_aurora ? aws_rds_cluster.this[0].arn : aws_db_instance.this[0].arn
}

output "resource_id" {
  description = "Resource id of the instance or cluster (for rds-db:connect IAM policies)."
  value       = local.is_aurora ? aws_rds_cluster.this[0].cluster_resource_id : aws_db_instance.this[0].resource_id
}

output "instance_identifiers" {
  description = "DB instance identifiers: the RDS instance, or the Aurora cluster's db.serverless instances."
  value       = local.is_aurora ? aws_rds_cluster_instance.this[*].identifier : aws_db_instance.this[*].identifier
}

output "endpoint" {
  description = "Host name to connect to (the writer endpoint for aurora), without the port."
  value       = local.endpoint
}

output "reader_endpoint" {
  description = "Aurora reader endpoint; the instance address for rds."
  value       = local.is_aurora ? aws_rds_cluster.this[0].reader_endpoint : aws_db_instance.this[0].address
}

output "port" {
  description = "Port PostgreSQL listens on."
  value       = local.port
}

output "db_name" {
  description = "Name of the application database."
  value       = var.db_name
}

output "master_username" {
  description = "Master user name."
  value       = var.master_username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master password in (JSON with username and password)."
  value       = local.master_user_secret_arn
}

output "subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = aws_db_subnet_group.this.name
}

output "parameter_group_name" {
  description = "Name of the DB parameter group (rds) or DB cluster parameter group (aurora)."
  value       = local.is_aurora ? aws_rds_cluster_parameter_group.this[0].name : aws_db_parameter_group.this[0].name
}

output "parameter_names" {
  description = "SSM parameter names of the connection details: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_SECRET_ARN => name."
  value       = { for key, parameter in aws_ssm_parameter.connection : key => parameter.name }
}

output "log_group_names" {
  description = "CloudWatch log groups of the exported PostgreSQL logs (log type => name)."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}
