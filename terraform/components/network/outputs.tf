output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = module.network.vpc_cidr_block
}

output "availability_zones" {
  description = "Availability zones of the subnets, in subnet order."
  value       = module.network.availability_zones
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per zone."
  value       = module.network.public_subnet_ids
}

output "public_subnet_cidr_blocks" {
  description = "CIDR blocks of the public subnets."
  value       = module.network.public_subnet_cidr_blocks
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per zone."
  value       = module.network.private_subnet_ids
}

output "private_subnet_cidr_blocks" {
  description = "CIDR blocks of the private subnets."
  value       = module.network.private_subnet_cidr_blocks
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = module.network.internet_gateway_id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways; empty without NAT."
  value       = module.network.nat_gateway_ids
}

output "nat_public_ips" {
  description = "Elastic IPs of the NAT gateways."
  value       = module.network.nat_public_ips
}

output "public_route_table_id" {
  description = "ID of the public route table."
  value       = module.network.public_route_table_id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, one per zone."
  value       = module.network.private_route_table_ids
}

output "s3_gateway_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = module.network.s3_gateway_endpoint_id
}

output "s3_prefix_list_id" {
  description = "Prefix list of S3 in this region."
  value       = module.network.s3_prefix_list_id
}

output "interface_endpoint_ids" {
  description = "IDs of the interface endpoints by service; empty when none."
  value       = module.network.interface_endpoint_ids
}

output "interface_endpoints_security_group_id" {
  description = "Security group of the interface endpoints (HTTPS from the VPC)."
  value       = module.network.interface_endpoints_security_group_id
}

output "default_security_group_id" {
  description = "The VPC's default security group, without rules."
  value       = module.network.default_security_group_id
}

output "flow_log_group_name" {
  description = "Log group of the VPC flow logs; null when off."
  value       = module.network.flow_log_group_name
}
