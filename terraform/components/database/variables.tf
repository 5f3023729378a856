################################################################################
# Engine
################################################################################

variable "engine" {
  description = "rds = one RDS for PostgreSQL instance (the staging cost profile); aurora = an Aurora PostgreSQL Serverless v2 cluster (production)."
  type        = string
  default     = "rds"

  validation {
    condition     = contains(["rds", "aurora"], var.engine)
    error_message = "engine must be \"rds\" or \"aurora\"."
  }
}

variable "engine_version" {
  description = "PostgreSQL version. null = \"17\" for rds (a major version: RDS picks the default minor and auto_minor_version_upgrade keeps it current) and \"17.4\" for aurora (Aurora needs a full version)."
  type        = string
  default     = null

  validation {
    condition     = var.engine_version == null || can(regex("^[0-9]{2}(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL version such as \"17\" or \"17.4\"."
  }
}

variable "instance_class" {
  description = "Instance class of the RDS instance (engine = rds). Aurora Serverless v2 instances are always db.serverless."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = can(regex("^db\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must be an RDS instance class such as db.t4g.micro."
  }
}

variable "serverless_min_capacity" {
  description = "Aurora Serverless v2 minimum capacity in ACUs (engine = aurora); 0 lets the cluster pause when idle."
  type        = number
  default     = 0.5

  validation {
    condition     = var.serverless_min_capacity >= 0 && var.serverless_min_capacity <= 256 && floor(var.serverless_min_capacity * 2) == var.serverless_min_capacity * 2
    error_message = "serverless_min_capacity must be between 0 and 256 in steps of 0.5."
  }
}

variable "serverless_max_capacity" {
  description = "Aurora Serverless v2 maximum capacity in ACUs (engine = aurora)."
  type        = number
  default     = 2

  validation {
    condition     = var.serverless_max_capacity >= 1 && var.serverless_max_capacity <= 256 && floor(var.serverless_max_capacity * 2) == var.serverless_max_capacity * 2
    error_message = "serverless_max_capacity must be between 1 and 256 in steps of 0.5."
  }

  validation {
    condition     = var.serverless_max_capacity >= var.serverless_min_capacity
    error_message = "serverless_max_capacity must not be below serverless_min_capacity."
  }
}

variable "serverless_seconds_until_auto_pause" {
  description = "Idle seconds before an Aurora Serverless v2 cluster with serverless_min_capacity = 0 pauses (300-86400)."
  type        = number
  default     = 300

  validation {
    condition     = var.serverless_seconds_until_auto_pause >= 300 && var.serverless_seconds_until_auto_pause <= 86400
    error_message = "serverless_seconds_until_auto_pause must be between 300 and 86400."
  }
}

variable "aurora_instance_count" {
  description = "Number of db.serverless instances in the Aurora cluster (engine = aurora); 2 or more spreads them over AZs for failover."
  type        = number
  default     = 1

  validation {
    condition     = var.aurora_instance_count >= 1 && var.aurora_instance_count <= 15 && floor(var.aurora_instance_count) == var.aurora_instance_count
    error_message = "aurora_instance_count must be a whole number from 1 to 15."
  }
}

################################################################################
# Storage (engine = rds)
################################################################################

variable "allocated_storage" {
  description = "Allocated storage of the RDS instance in GiB (engine = rds)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536 && floor(var.allocated_storage) == var.allocated_storage
    error_message = "allocated_storage must be a whole number of GiB from 20 to 65536."
  }
}

variable "max_allocated_storage" {
  description = "Upper limit in GiB for RDS storage autoscaling (engine = rds); 0 turns storage autoscaling off."
  type        = number
  default     = 0

  validation {
    condition     = var.max_allocated_storage == 0 || (var.max_allocated_storage >= 20 && var.max_allocated_storage <= 65536 && floor(var.max_allocated_storage) == var.max_allocated_storage)
    error_message = "max_allocated_storage must be 0 (off) or a whole number of GiB from 20 to 65536."
  }

  validation {
    condition     = var.max_allocated_storage == 0 || var.max_allocated_storage > var.allocated_storage
    error_message = "max_allocated_storage must be above allocated_storage (or 0 to turn storage autoscaling off)."
  }
}

variable "storage_type" {
  description = "Storage type of the RDS instance (engine = rds)."
  type        = string
  default     = "gp3"

  validation {
    condition     = contains(["gp2", "gp3", "io1", "io2"], var.storage_type)
    error_message = "storage_type must be gp2, gp3, io1 or io2."
  }
}

variable "multi_az" {
  description = "Run the RDS instance with a standby in a second AZ (engine = rds)."
  type        = bool
  default     = false
}

################################################################################
# Database
################################################################################

variable "db_name" {
  description = "Name of the database created in the instance or cluster."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and contain at most 63 letters, digits or underscores."
  }
}

variable "master_username" {
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS (manage_master_user_password); it never appears in Terraform."
  type        = string
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], lower(var.master_username))
    error_message = "master_username must start with a letter, contain at most 63 letters, digits or underscores, and not be a reserved name (admin, postgres, rdsadmin)."
  }
}

variable "port" {
  description = "Port PostgreSQL listens on."
  type        = number
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535
    error_message = "port must be between 1150 and 65535."
  }
}

################################################################################
# Network
################################################################################

variable "private_subnet_ids" {
  description = "Private subnets of the DB subnet group (network.private_subnet_ids; at least two, in different AZs)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids needs at least two subnets (RDS requires a subnet group spanning two AZs)."
  }
}

variable "database_security_group_id" {
  description = "Security group of the database (security.database_security_group_id: reachable only from the ECS tasks)."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.database_security_group_id))
    error_message = "database_security_group_id must be a security group id (sg-...)."
  }
}

################################################################################
# Encryption
################################################################################

variable "kms_key_arn" {
  description = "KMS key for storage and Performance Insights encryption; null = the AWS managed key aws/rds. Storage is always encrypted."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "master_user_secret_kms_key_arn" {
  description = "KMS key for the master user secret in Secrets Manager; null = the AWS managed key aws/secretsmanager."
  type        = string
  default     = null

  validation {
    condition     = var.master_user_secret_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.master_user_secret_kms_key_arn))
    error_message = "master_user_secret_kms_key_arn must be a KMS key ARN."
  }
}

################################################################################
# Backups and deletion
################################################################################

variable "backup_retention_days" {
  description = "Days automated backups are kept (1-35)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number from 1 to 35."
  }
}

variable "backup_window" {
  description = "Daily backup window in UTC, hh24:mi-hh24:mi (at least 30 minutes, not overlapping the maintenance window); null = chosen by AWS."
  type        = string
  default     = null

  validation {
    condition     = var.backup_window == null || can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like 18:00-19:00 (UTC)."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window in UTC, ddd:hh24:mi-ddd:hh24:mi; null = chosen by AWS."
  type        = string
  default     = null

  validation {
    condition     = var.maintenance_window == null || can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:19:00-sun:20:00 (UTC)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance or cluster (production)."
  type        = bool
  default     = false
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (staging). false takes a final snapshot named {prefix}-final-<creation time> (production)."
  type        = bool
  default     = true
}

variable "auto_minor_version_upgrade" {
  description = "Apply minor engine upgrades automatically in the maintenance window."
  type        = bool
  default     = true
}

variable "apply_immediately" {
  description = "Apply modifications at once instead of in the next maintenance window."
  type        = bool
  default     = false
}

################################################################################
# Access, observability
################################################################################

variable "iam_database_authentication_enabled" {
  description = "Allow IAM database authentication (tokens instead of passwords) besides the master password."
  type        = bool
  default     = true
}

variable "performance_insights_enabled" {
  description = "Turn on Performance Insights (the 7-day retention is free)."
  type        = bool
  default     = true
}

variable "performance_insights_retention_days" {
  description = "Performance Insights retention in days: 7 (free), 731, or a multiple of 31."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_days == 7 || var.performance_insights_retention_days == 731 || (var.performance_insights_retention_days >= 31 && var.performance_insights_retention_days % 31 == 0 && var.performance_insights_retention_days <= 713)
    error_message = "performance_insights_retention_days must be 7, 731, or a multiple of 31 up to 713."
  }
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds; 0 turns it off (staging: it bills CloudWatch Logs). A monitoring role is created when it is on."
  type        = number
  default     = 0

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "enabled_cloudwatch_logs_exports" {
  description = "PostgreSQL logs exported to CloudWatch Logs (postgresql, upgrade (rds only), iam-db-auth-error). The log groups are created here with cloudwatch_log_retention_days."
  type        = list(string)
  default     = ["postgresql"]

  validation {
    condition     = alltrue([for log in var.enabled_cloudwatch_logs_exports : contains(["postgresql", "upgrade", "iam-db-auth-error"], log)])
    error_message = "enabled_cloudwatch_logs_exports may contain postgresql, upgrade and iam-db-auth-error."
  }

  validation {
    condition     = var.engine == "rds" || !contains(var.enabled_cloudwatch_logs_exports, "upgrade")
    error_message = "Aurora PostgreSQL does not export the upgrade log; use postgresql and iam-db-auth-error."
  }
}

variable "cloudwatch_log_retention_days" {
  description = "Retention of the exported PostgreSQL log groups, in days."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudwatch_log_retention_days)
    error_message = "cloudwatch_log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)."
  }
}

variable "cloudwatch_log_kms_key_arn" {
  description = "KMS key for the exported log groups (its key policy must allow the logs service); null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.cloudwatch_log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.cloudwatch_log_kms_key_arn))
    error_message = "cloudwatch_log_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_statement" {
  description = "PostgreSQL log_statement: which statements are logged (none, ddl, mod, all)."
  type        = string
  default     = "ddl"

  validation {
    condition     = contains(["none", "ddl", "mod", "all"], var.log_statement)
    error_message = "log_statement must be none, ddl, mod or all."
  }
}

variable "log_min_duration_statement_ms" {
  description = "PostgreSQL log_min_duration_statement: log statements slower than this many milliseconds; -1 turns it off."
  type        = number
  default     = 1000

  validation {
    condition     = var.log_min_duration_statement_ms >= -1 && floor(var.log_min_duration_statement_ms) == var.log_min_duration_statement_ms
    error_message = "log_min_duration_statement_ms must be -1 (off) or a whole number of milliseconds."
  }
}
