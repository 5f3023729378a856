# Alias records (A and AAAA: the distribution serves IPv6) for every alternate domain name.

locals {
  records = var.hosted_zone_id == null ? {} : merge([
    for name in var.aliases : {
      "${name} A"    = { name = name, type = "A" }
      "${name} AAAA" = { name = name, type = "AAAA" }
    }
  ]...)
}

resource "aws_route53_record" "alias" {
  for_each = local.records

  zone_id = var.hosted_zone_id
  name    = each.value.name
  type    = each.value.type

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}
