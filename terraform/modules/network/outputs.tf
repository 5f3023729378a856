output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones of the subnets, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per zone."
  value       = aws_subnet.public[*].id
}

output "public_subnet_cidr_blocks" {
  description = "CIDR blocks of the public subnets."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per zone."
  value       = aws_subnet.private[*].id
}

output "private_subnet_cidr_blocks" {
  description = "CIDR blocks of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways; empty when nat_gateway_mode is \"none\"."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public (Elastic) IPs of the NAT gateways, the source address of the private subnets' outbound traffic."
  value       = aws_eip.nat[*].public_ip
}

output "public_route_table_id" {
  description = "ID of the public route table."
  value       = aws_route_table.public.id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, one per zone."
  value       = aws_route_table.private[*].id
}

output "s3_gateway_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  description = "Prefix list of S3 in this region (for security group rules to the S3 gateway endpoint)."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "interface_endpoint_ids" {
  description = "IDs of the interface endpoints by service (\"ecr.api\", \"ecr.dkr\", \"logs\", \"ssmmessages\"); empty when none."
  value       = { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id }
}

output "interface_endpoints_security_group_id" {
  description = "Security group of the interface endpoints (HTTPS from the VPC)."
  value       = aws_security_group.endpoints.id
}

output "default_security_group_id" {
  description = "The VPC's default security group, left without any rule."
  value       = aws_default_security_group.this.id
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group of the VPC flow logs; null when flow logs are off."
  value       = one(aws_cloudwatch_log_group.flow_logs[*].name)
}
