# Zones, subnet layout and names shared by the files of this module (vpc.tf, subnets.tf, routing.tf,
# endpoints.tf, flow_logs.tf).

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  azs = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, var.az_count)

  # Public subnets in the lower half of the VPC, private subnets in the upper half, so growing az_count never
  # moves an existing subnet.
  private_netnum_offset = pow(2, var.subnet_newbits - 1)
  public_subnet_cidrs   = length(var.public_subnet_cidrs) > 0 ? var.public_subnet_cidrs : [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, var.subnet_newbits, i)]
  private_subnet_cidrs  = length(var.private_subnet_cidrs) > 0 ? var.private_subnet_cidrs : [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, var.subnet_newbits, local.private_netnum_offset + i)]

  # "none": no NAT; "single": one in the first zone; "per_az": one per zone.
  nat_gateway_count = var.nat_gateway_mode == "per_az" ? var.az_count : (var.nat_gateway_mode == "single" ? 1 : 0)

  # data.aws_region's id is the region name under both provider majors (5 has name, 6 has region).
  region = data.aws_region.current.id
}
