# The component's own inputs (edge is a production component). aws_region, aws_endpoints, service, environment
# and prefix come from component.tf; the us-east-1 provider is in provider_us_east_1.tf.

variable "alb_dns_name" {
  description = "DNS name of the ALB (compute.alb_dns_name), the default origin."
  type        = string
}

variable "alb_origin_protocol_policy" {
  description = "CloudFront to ALB protocol: https-only, http-only or match-viewer; null = https-only with certificate_arn, else http-only."
  type        = string
  default     = null
}

variable "assets_bucket_name" {
  description = "Static assets bucket (storage.bucket_name); null serves everything from the ALB."
  type        = string
  default     = null
}

variable "assets_bucket_regional_domain_name" {
  description = "Regional domain name of the assets bucket (storage.bucket_regional_domain_name)."
  type        = string
  default     = null
}

variable "assets_path_patterns" {
  description = "Path patterns served (cached) from the assets bucket."
  type        = list(string)
  default     = ["/_next/static/*", "/assets/*"]
}

variable "aliases" {
  description = "Alternate domain names of the distribution (need certificate_arn)."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate ARN in us-east-1 for the aliases; null = CloudFront default certificate."
  type        = string
  default     = null
}

variable "minimum_protocol_version" {
  description = "Minimum viewer TLS version with certificate_arn."
  type        = string
  default     = "TLSv1.2_2021"
}

variable "hosted_zone_id" {
  description = "Route53 hosted zone for the alias records of aliases; null = no records."
  type        = string
  default     = null
}

variable "price_class" {
  description = "CloudFront price class (PriceClass_200 includes Japan)."
  type        = string
  default     = "PriceClass_200"
}

variable "wait_for_deployment" {
  description = "Wait for the distribution to be deployed everywhere before finishing."
  type        = bool
  default     = true
}

variable "logging_bucket_domain_name" {
  description = "ACL-enabled S3 bucket domain name for CloudFront access logs; null = none."
  type        = string
  default     = null
}

variable "hsts_preload" {
  description = "Add the preload directive to Strict-Transport-Security."
  type        = bool
  default     = false
}

variable "content_security_policy" {
  description = "Content-Security-Policy header for every response; null = left to the application."
  type        = string
  default     = null
}

variable "enable_waf" {
  description = "Create and attach a CLOUDFRONT-scope WAFv2 web ACL with AWS managed rules."
  type        = bool
  default     = true
}

variable "waf_managed_rule_groups" {
  description = "AWS managed rule groups of the web ACL, in evaluation order."
  type        = list(string)
  default = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
  ]
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes per IP before blocking; null = no rate limit rule."
  type        = number
  default     = 2000
}

variable "waf_log_destination_arn" {
  description = "WAF log destination ARN in us-east-1 (aws-waf-logs-* log group, Firehose or bucket); null = none."
  type        = string
  default     = null
}
