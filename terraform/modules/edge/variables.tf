variable "prefix" {
  description = "Resource name prefix ({service}-{environment}); every resource is named after it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}

# --- Origins ------------------------------------------------------------------------------------------------

variable "alb_dns_name" {
  description = "DNS name of the application load balancer, the default origin (every path the assets patterns do not match)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+$", var.alb_dns_name))
    error_message = "alb_dns_name must be a DNS name."
  }
}

variable "alb_origin_protocol_policy" {
  description = <<-EOT
    How CloudFront connects to the ALB: https-only, http-only or match-viewer. null = https-only when certificate_arn
    is set (the ALB then listens on HTTPS with a certificate for the same names; CloudFront forwards the viewer's Host
    header, which the ALB certificate must match), http-only otherwise.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.alb_origin_protocol_policy == null || contains(["https-only", "http-only", "match-viewer"], coalesce(var.alb_origin_protocol_policy, "-"))
    error_message = "alb_origin_protocol_policy must be null, https-only, http-only or match-viewer."
  }
}

variable "origin_read_timeout" {
  description = "Seconds CloudFront waits for the ALB's response (SSR pages) before it gives up (1-60 without a quota increase)."
  type        = number
  default     = 30

  validation {
    condition     = var.origin_read_timeout >= 1 && var.origin_read_timeout <= 180
    error_message = "origin_read_timeout must be between 1 and 180 seconds."
  }
}

variable "assets_bucket_name" {
  description = "Name of the static assets bucket (storage.bucket_name); null serves everything from the ALB."
  type        = string
  default     = null
}

variable "assets_bucket_regional_domain_name" {
  description = "Regional domain name of the assets bucket (storage.bucket_regional_domain_name); required with assets_bucket_name."
  type        = string
  default     = null

  validation {
    condition     = (var.assets_bucket_regional_domain_name == null) == (var.assets_bucket_name == null)
    error_message = "assets_bucket_name and assets_bucket_regional_domain_name are set together or not at all."
  }

  validation {
    condition     = var.assets_bucket_regional_domain_name == null || can(regex("\\.s3\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$", coalesce(var.assets_bucket_regional_domain_name, "-")))
    error_message = "assets_bucket_regional_domain_name must be a bucket's regional domain name (<bucket>.s3.<region>.amazonaws.com)."
  }
}

variable "assets_path_patterns" {
  description = "Path patterns served from the assets bucket (cached), e.g. Next.js build output and static assets."
  type        = list(string)
  default     = ["/_next/static/*", "/assets/*"]

  validation {
    condition     = length(var.assets_path_patterns) == length(distinct(var.assets_path_patterns)) && alltrue([for p in var.assets_path_patterns : length(p) > 0 && length(p) <= 255])
    error_message = "assets_path_patterns must be distinct, non-empty path patterns of at most 255 characters."
  }
}

# --- Viewer side: names, certificate, DNS -------------------------------------------------------------------

variable "aliases" {
  description = "Alternate domain names (CNAMEs) of the distribution, e.g. [\"app.example.com\"]; they need certificate_arn."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.aliases) == length(distinct(var.aliases)) && alltrue([for a in var.aliases : can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", a))])
    error_message = "aliases must be distinct lower-case domain names."
  }

  validation {
    condition     = length(var.aliases) == 0 || var.certificate_arn != null
    error_message = "aliases need certificate_arn: CloudFront serves alternate domain names only with a certificate covering them."
  }
}

variable "certificate_arn" {
  description = "ARN of an ACM certificate in us-east-1 for the aliases (viewer certificate); null = the CloudFront default certificate (*.cloudfront.net)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", coalesce(var.certificate_arn, "-")))
    error_message = "certificate_arn must be null or an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from there)."
  }
}

variable "minimum_protocol_version" {
  description = "Minimum TLS version viewers may use when certificate_arn is set (the default certificate always allows TLSv1)."
  type        = string
  default     = "TLSv1.2_2021"

  validation {
    condition     = contains(["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.3_2025"], var.minimum_protocol_version)
    error_message = "minimum_protocol_version must be TLSv1.2_2018, TLSv1.2_2019, TLSv1.2_2021 or TLSv1.3_2025."
  }
}

variable "hosted_zone_id" {
  description = "Route53 hosted zone in which to create alias records (A and AAAA) for every name in aliases; null creates none."
  type        = string
  default     = null

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^[A-Z0-9]{1,32}$", coalesce(var.hosted_zone_id, "-")))
    error_message = "hosted_zone_id must be null or a Route53 hosted zone ID (upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ)."
  }
}

# --- Distribution -------------------------------------------------------------------------------------------

variable "price_class" {
  description = "CloudFront price class: PriceClass_100 (North America, Europe), PriceClass_200 (adds Asia incl. Japan), PriceClass_All."
  type        = string
  default     = "PriceClass_200"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "geo_restriction_type" {
  description = "Geographic restriction: none, whitelist or blacklist (of geo_restriction_locations)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "whitelist", "blacklist"], var.geo_restriction_type)
    error_message = "geo_restriction_type must be none, whitelist or blacklist."
  }
}

variable "geo_restriction_locations" {
  description = "ISO 3166-1 alpha-2 country codes for geo_restriction_type whitelist/blacklist."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.geo_restriction_locations : can(regex("^[A-Z]{2}$", c))])
    error_message = "geo_restriction_locations must be ISO 3166-1 alpha-2 country codes (e.g. JP)."
  }

  validation {
    condition     = (var.geo_restriction_type == "none") == (length(var.geo_restriction_locations) == 0)
    error_message = "geo_restriction_locations must be empty with geo_restriction_type none, and non-empty otherwise."
  }
}

variable "wait_for_deployment" {
  description = "Wait until the distribution is deployed to every edge location (can take many minutes) before finishing."
  type        = bool
  default     = true
}

variable "logging_bucket_domain_name" {
  description = "Domain name of an S3 bucket (ACLs enabled) that receives CloudFront standard access logs; null = no access logs."
  type        = string
  default     = null
}

variable "logging_prefix" {
  description = "Key prefix of the access log files."
  type        = string
  default     = "cloudfront/"
}

# --- Security headers ---------------------------------------------------------------------------------------

variable "hsts_max_age_seconds" {
  description = "Strict-Transport-Security max-age sent with every response."
  type        = number
  default     = 31536000

  validation {
    condition     = var.hsts_max_age_seconds >= 0
    error_message = "hsts_max_age_seconds must not be negative."
  }
}

variable "hsts_preload" {
  description = "Add the preload directive to Strict-Transport-Security (only for a domain that is, or is to be, on the browsers' HSTS preload list)."
  type        = bool
  default     = false
}

variable "content_security_policy" {
  description = "Content-Security-Policy header value added to every response; null leaves it to the application."
  type        = string
  default     = null
}

# --- WAF ----------------------------------------------------------------------------------------------------

variable "enable_waf" {
  description = "Protect the distribution with a WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) of AWS managed rules."
  type        = bool
  default     = true
}

variable "waf_managed_rule_groups" {
  description = "AWS managed rule groups of the web ACL, evaluated in this order."
  type        = list(string)
  default = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
  ]

  validation {
    condition     = length(var.waf_managed_rule_groups) == length(distinct(var.waf_managed_rule_groups)) && alltrue([for g in var.waf_managed_rule_groups : can(regex("^AWSManagedRules[A-Za-z0-9]+$", g))])
    error_message = "waf_managed_rule_groups must be distinct AWS managed rule group names (AWSManagedRules...)."
  }
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one IP address above which the web ACL blocks it; null = no rate limit rule."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit == null || try(var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000, false)
    error_message = "waf_rate_limit must be null or between 10 and 2,000,000,000."
  }
}

variable "waf_log_destination_arn" {
  description = "ARN of a WAF log destination (a CloudWatch log group named aws-waf-logs-*, a Firehose stream or a bucket, in us-east-1); null = no WAF logging."
  type        = string
  default     = null
}
