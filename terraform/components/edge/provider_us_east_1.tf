# A second AWS provider, in us-east-1, for what CloudFront needs there (the CLOUDFRONT-scope WAFv2 web ACL).
# Same emulator endpoint handling and default tags as the provider in component.tf (terraform/shared/component.tf).
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  skip_credentials_validation = length(var.aws_endpoints) > 0
  skip_requesting_account_id  = length(var.aws_endpoints) > 0
  skip_metadata_api_check     = length(var.aws_endpoints) > 0
  s3_use_path_style           = length(var.aws_endpoints) > 0

  endpoints {
    acm                    = lookup(var.aws_endpoints, "acm", null)
    applicationautoscaling = lookup(var.aws_endpoints, "applicationautoscaling", null)
    budgets                = lookup(var.aws_endpoints, "budgets", null)
    cloudfront             = lookup(var.aws_endpoints, "cloudfront", null)
    cloudwatch             = lookup(var.aws_endpoints, "cloudwatch", null)
    dynamodb               = lookup(var.aws_endpoints, "dynamodb", null)
    ec2                    = lookup(var.aws_endpoints, "ec2", null)
    ecr                    = lookup(var.aws_endpoints, "ecr", null)
    ecs                    = lookup(var.aws_endpoints, "ecs", null)
    elbv2                  = lookup(var.aws_endpoints, "elbv2", null)
    events                 = lookup(var.aws_endpoints, "events", null)
    iam                    = lookup(var.aws_endpoints, "iam", null)
    kms                    = lookup(var.aws_endpoints, "kms", null)
    lambda                 = lookup(var.aws_endpoints, "lambda", null)
    logs                   = lookup(var.aws_endpoints, "logs", null)
    rds                    = lookup(var.aws_endpoints, "rds", null)
    route53                = lookup(var.aws_endpoints, "route53", null)
    s3                     = lookup(var.aws_endpoints, "s3", null)
    scheduler              = lookup(var.aws_endpoints, "scheduler", null)
    secretsmanager         = lookup(var.aws_endpoints, "secretsmanager", null)
    sns                    = lookup(var.aws_endpoints, "sns", null)
    ssm                    = lookup(var.aws_endpoints, "ssm", null)
    sts                    = lookup(var.aws_endpoints, "sts", null)
    wafv2                  = lookup(var.aws_endpoints, "wafv2", null)
  }

  default_tags {
    tags = {
      Service     = var.service
      Environment = var.environment
      ManagedBy   = "shipyard.aws"
    }
  }
}
