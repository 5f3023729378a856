output "distribution_id" {
  description = "ID of the CloudFront distribution."
  value       = module.edge.distribution_id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = module.edge.distribution_arn
}

output "distribution_domain_name" {
  description = "Domain name of the distribution (<id>.cloudfront.net)."
  value       = module.edge.distribution_domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route53 zone ID of CloudFront (for alias records)."
  value       = module.edge.distribution_hosted_zone_id
}

output "waf_web_acl_arn" {
  description = "ARN of the CLOUDFRONT-scope web ACL (null without WAF)."
  value       = module.edge.waf_web_acl_arn
}

output "response_headers_policy_id" {
  description = "ID of the security headers policy."
  value       = module.edge.response_headers_policy_id
}

output "record_fqdns" {
  description = "Alias records created for the aliases."
  value       = module.edge.record_fqdns
}
