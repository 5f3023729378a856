output "engine" {
  description = "rds or aurora."
  value       = module.database.engine
}

output "engine_version" {
  description = "PostgreSQL version running."
  value       = module.database.engine_version
}

output "identifier" {
  description = "DB instance identifier (rds) or DB cluster identifier (aurora)."
  value       = module.database.identifier
}

output "arn" {
  description = "ARN of the DB instance (rds) or DB cluster (aurora)."
  value       = module.database.arn
}

output "resource_id" {
  description = "Resource id of the instance or cluster (for rds-db:connect IAM policies)."
  value       = module.database.resource_id
}

output "instance_identifiers" {
  description = "DB instance identifiers: the RDS instance, or the Aurora cluster's db.serverless instances."
  value       = module.database.instance_identifiers
}

output "endpoint" {
  description = "Host name to connect to (the writer endpoint for aurora), without the port."
  value       = module.database.endpoint
}

output "reader_endpoint" {
  description = "Aurora reader endpoint; the instance address for rds."
  value       = module.database.reader_endpoint
}

output "port" {
  description = "Port PostgreSQL listens on."
  value       = module.database.port
}

output "db_name" {
  description = "Name of the application database."
  value       = module.database.db_name
}

output "master_username" {
  description = "Master user name."
  value       = module.database.master_username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master password in."
  value       = module.database.master_user_secret_arn
}

output "subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = module.database.subnet_group_name
}

output "parameter_group_name" {
  description = "Name of the DB (cluster) parameter group."
  value       = module.database.parameter_group_name
}

output "parameter_names" {
  description = "SSM parameter names of the connection details: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_SECRET_ARN => name."
  value       = module.database.parameter_names
}

output "log_group_names" {
  description = "CloudWatch log groups of the exported PostgreSQL logs (log type => name)."
  value       = module.database.log_group_names
}
