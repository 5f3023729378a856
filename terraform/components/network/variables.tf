# The network component's own inputs (the common ones are in component.tf). Defaults are the staging cost
# profile: no NAT gateway, no interface endpoints, no flow logs. The module validates every value; the two
# choices an inventory sets most are validated here as well, so an error names the inventory's input.

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC (/16 to /24)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "az_count" {
  description = "Availability zones with a public and a private subnet each (2 to 6)."
  type        = number
  default     = 2
}

variable "availability_zones" {
  description = "Zone names to use; empty = the first az_count zones of the region."
  type        = list(string)
  default     = []
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix per subnet (8: /16 -> /24). Public subnets in the lower half, private in the upper half."
  type        = number
  default     = 8
}

variable "public_subnet_cidrs" {
  description = "Explicit public subnet CIDRs, one per zone; empty = computed."
  type        = list(string)
  default     = []
}

variable "private_subnet_cidrs" {
  description = "Explicit private subnet CIDRs, one per zone; empty = computed."
  type        = list(string)
  default     = []
}

variable "nat_gateway_mode" {
  description = "\"none\" (staging: no NAT, tasks in public subnets), \"single\" or \"per_az\" (production)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be one of: none, single, per_az."
  }
}

variable "interface_endpoints" {
  description = "Interface endpoints to create: any of \"ecr.api\", \"ecr.dkr\", \"logs\", \"ssmmessages\". The S3 gateway endpoint always exists."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoints : contains(["ecr.api", "ecr.dkr", "logs", "ssmmessages"], s)])
    error_message = "interface_endpoints may only contain \"ecr.api\", \"ecr.dkr\", \"logs\" and \"ssmmessages\"."
  }
}

variable "enable_flow_logs" {
  description = "VPC flow logs to a CloudWatch Logs group."
  type        = bool
  default     = false
}

variable "flow_logs_traffic_type" {
  description = "Traffic the flow logs record: ACCEPT, REJECT or ALL."
  type        = string
  default     = "REJECT"
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 365
}

variable "flow_logs_kms_key_arn" {
  description = "KMS key for the flow log group; null = CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (default_tags add Service, Environment and ManagedBy)."
  type        = map(string)
  default     = {}
}
