output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution (the AWS:SourceArn the assets bucket policy allows)."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "Domain name of the distribution (<id>.cloudfront.net)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route53 zone ID of CloudFront, for alias records made elsewhere."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "waf_web_acl_arn" {
  description = "ARN of the CLOUDFRONT-scope web ACL; null when enable_waf is false."
  value       = local.web_acl_arn
}

output "response_headers_policy_id" {
  description = "ID of the security headers policy."
  value       = aws_cloudfront_response_headers_policy.security.id
}

output "origin_access_control_id" {
  description = "ID of the origin access control for the assets bucket; null without one."
  value       = one(aws_cloudfront_origin_access_control.assets[*].id)
}

output "record_fqdns" {
  description = "Names of the alias records created in hosted_zone_id."
  value       = distinct([for r in aws_route53_record.alias : r.fqdn])
}
