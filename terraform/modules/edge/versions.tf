terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
      # aws.us_east_1: the WAFv2 web ACL of a CloudFront distribution (scope CLOUDFRONT) lives in us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
