module "edge" {
  source = "../../modules/edge"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  prefix = var.prefix

  alb_dns_name               = var.alb_dns_name
  alb_origin_protocol_policy = var.alb_origin_protocol_policy

  assets_bucket_name                 = var.assets_bucket_name
  assets_bucket_regional_domain_name = var.assets_bucket_regional_domain_name
  assets_path_patterns               = var.assets_path_patterns

  aliases                  = var.aliases
  certificate_arn          = var.certificate_arn
  minimum_protocol_version = var.minimum_protocol_version
  hosted_zone_id           = var.hosted_zone_id

  price_class                = var.price_class
  wait_for_deployment        = var.wait_for_deployment
  logging_bucket_domain_name = var.logging_bucket_domain_name
  content_security_policy    = var.content_security_policy
  hsts_preload               = var.hsts_preload

  enable_waf              = var.enable_waf
  waf_managed_rule_groups = var.waf_managed_rule_groups
  waf_rate_limit          = var.waf_rate_limit
  waf_log_destination_arn = var.waf_log_destination_arn
}
