variable "prefix" {
  description = "Name prefix of every resource ({service}-{environment}); each resource's Name tag starts with it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block between /16 and /24 (the sizes a VPC may have here)."
  }
}

variable "az_count" {
  description = "How many availability zones get a public and a private subnet (an ALB and an RDS subnet group need at least 2)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 2 to 6."
  }
}

variable "availability_zones" {
  description = "Availability zone names to use, in order; empty = the first az_count zones the region offers."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || length(var.availability_zones) == var.az_count
    error_message = "availability_zones must be empty or list exactly az_count zones."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (8 turns a /16 into /24 subnets). Public subnets take the lower half of the VPC, private subnets the upper half."
  type        = number
  default     = 8

  validation {
    condition     = var.subnet_newbits >= 2 && var.subnet_newbits <= 12 && floor(var.subnet_newbits) == var.subnet_newbits
    error_message = "subnet_newbits must be a whole number from 2 to 12."
  }
}

variable "public_subnet_cidrs" {
  description = "Explicit CIDR blocks of the public subnets, one per zone; empty = computed from vpc_cidr and subnet_newbits."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.public_subnet_cidrs) == 0 || (length(var.public_subnet_cidrs) == var.az_count && alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))]))
    error_message = "public_subnet_cidrs must be empty or list az_count valid IPv4 CIDR blocks."
  }
}

variable "private_subnet_cidrs" {
  description = "Explicit CIDR blocks of the private subnets, one per zone; empty = computed from vpc_cidr and subnet_newbits."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.private_subnet_cidrs) == 0 || (length(var.private_subnet_cidrs) == var.az_count && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))]))
    error_message = "private_subnet_cidrs must be empty or list az_count valid IPv4 CIDR blocks."
  }
}

variable "nat_gateway_mode" {
  description = "NAT for the private subnets: \"none\" (no NAT; the cost profile, tasks run in public subnets), \"single\" (one NAT gateway in the first zone for all private subnets) or \"per_az\" (one per zone, no cross-zone dependency)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be one of: none, single, per_az."
  }
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints to create in the private subnets, by AWS service: any of \"ecr.api\", \"ecr.dkr\", \"logs\", \"ssmmessages\" (pulling images, shipping logs and ECS Exec without a NAT gateway). The S3 gateway endpoint always exists."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoints : contains(["ecr.api", "ecr.dkr", "logs", "ssmmessages"], s)])
    error_message = "interface_endpoints may only contain \"ecr.api\", \"ecr.dkr\", \"logs\" and \"ssmmessages\"."
  }

  validation {
    condition     = length(distinct(var.interface_endpoints)) == length(var.interface_endpoints)
    error_message = "interface_endpoints must not list a service twice."
  }
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs to a CloudWatch Logs group of this module (off in the cost profile)."
  type        = bool
  default     = false
}

variable "flow_logs_traffic_type" {
  description = "Which traffic the flow logs record: ACCEPT, REJECT or ALL."
  type        = string
  default     = "REJECT"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "flow_logs_kms_key_arn" {
  description = "KMS key that encrypts the flow log group; null = CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.flow_logs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.flow_logs_kms_key_arn))
    error_message = "flow_logs_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "tags" {
  description = "Extra tags for every resource of the module (the provider's default_tags come on top)."
  type        = map(string)
  default     = {}
}
