locals {
  alb_origin_id    = "alb"
  assets_origin_id = var.assets_bucket_name == null ? null : "s3-${var.assets_bucket_name}"
  serve_assets     = var.assets_bucket_name != null

  alb_origin_protocol_policy = coalesce(var.alb_origin_protocol_policy, var.certificate_arn == null ? "http-only" : "https-only")

  # AWS managed CloudFront policies (their IDs are the same in every account).
  managed_cache_policy_caching_disabled   = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
  managed_cache_policy_caching_optimized  = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  managed_origin_request_policy_allviewer = "216adef6-5c7f-47e4-b989-5492eafa07d3" # Managed-AllViewer

  web_acl_arn = var.enable_waf ? aws_wafv2_web_acl.this[0].arn : null
}
