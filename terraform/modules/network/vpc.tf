resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Flow logs are an input (enable_flow_logs, flow_logs.tf); the cost profile leaves them off.
  cidr_block = var.vpc_cidr

  # Interface endpoints with private DNS need both.
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = "${var.prefix}-vpc" })
}

# The VPC's default security group is never used: take every rule away from it (CKV2_AWS_12).
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.prefix}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.prefix}-igw" })
}
