# Public subnets: the ALB, the NAT gateways and, in the cost profile (no NAT), the ECS tasks, which then get a
# public IP from the ECS service (assign_public_ip), not from the subnet.
resource "aws_subnet" "public" {
  count = var.az_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.public_subnet_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = merge(var.tags, {
    Name = "${var.prefix}-public-${local.azs[count.index]}"
    Tier = "public"
  })
}

# Private subnets: the database, the interface endpoints and, with a NAT gateway, the ECS tasks.
resource "aws_subnet" "private" {
  count = var.az_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.private_subnet_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = merge(var.tags, {
    Name = "${var.prefix}-private-${local.azs[count.index]}"
    Tier = "private"
  })
}
