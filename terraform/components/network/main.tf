module "network" {
  source = "../../modules/network"

  prefix               = var.prefix
  vpc_cidr             = var.vpc_cidr
  az_count             = var.az_count
  availability_zones   = var.availability_zones
  subnet_newbits       = var.subnet_newbits
  public_subnet_cidrs  = var.public_subnet_cidrs
  private_subnet_cidrs = var.private_subnet_cidrs
  nat_gateway_mode     = var.nat_gateway_mode
  interface_endpoints  = var.interface_endpoints

  enable_flow_logs         = var.enable_flow_logs
  flow_logs_traffic_type   = var.flow_logs_traffic_type
  flow_logs_retention_days = var.flow_logs_retention_days
  flow_logs_kms_key_arn    = var.flow_logs_kms_key_arn

  tags = var.tags
}
