resource "aws_cloudfront_origin_access_control" "assets" {
  count = local.serve_assets ? 1 : 0

  name                              = "${var.prefix}-assets"
  description                       = "CloudFront reads the ${var.assets_bucket_name} bucket with SigV4-signed requests."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_310:There is one ALB origin; origin failover needs a second origin serving the same application.
  #checkov:skip=CKV_AWS_305:The default origin is a server-rendering application that answers "/" itself; a default root object is for bucket origins.
  #checkov:skip=CKV_AWS_374:Geo restriction is an input (geo_restriction_type); the application serves every country by default.
  #checkov:skip=CKV2_AWS_47:The web ACL includes AWSManagedRulesKnownBadInputsRuleSet (Log4j) by default; checkov cannot follow the conditional web_acl_id.
  enabled             = true
  comment             = "${var.prefix}: application load balancer and static assets"
  is_ipv6_enabled     = true
  http_version        = "http2and3"
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = local.web_acl_arn
  wait_for_deployment = var.wait_for_deployment

  origin {
    origin_id   = local.alb_origin_id
    domain_name = var.alb_dns_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = local.alb_origin_protocol_policy
      origin_ssl_protocols   = ["TLSv1.2"]
      origin_read_timeout    = var.origin_read_timeout
    }
  }

  dynamic "origin" {
    for_each = local.serve_assets ? [1] : []

    content {
      origin_id                = local.assets_origin_id
      domain_name              = var.assets_bucket_regional_domain_name
      origin_access_control_id = aws_cloudfront_origin_access_control.assets[0].id
    }
  }

  # Server-rendered pages and the API: never cached, every viewer header, cookie and query string forwarded.
  default_cache_behavior {
    target_origin_id           = local.alb_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.managed_cache_policy_caching_disabled
    origin_request_policy_id   = local.managed_origin_request_policy_allviewer
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  # Build output and static assets from the bucket, cached.
  dynamic "ordered_cache_behavior" {
    for_each = local.serve_assets ? var.assets_path_patterns : []

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.assets_origin_id
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.managed_cache_policy_caching_optimized
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = var.geo_restriction_type
      locations        = var.geo_restriction_locations
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.certificate_arn == null
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = var.certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.certificate_arn == null ? "TLSv1" : var.minimum_protocol_version
  }

  dynamic "logging_config" {
    for_each = var.logging_bucket_domain_name == null ? [] : [1]

    content {
      bucket          = var.logging_bucket_domain_name
      prefix          = var.logging_prefix
      include_cookies = false
    }
  }

  tags = merge(var.tags, { Name = var.prefix })
}
