# Test component of the Terraform engine's diamond graph (a -> b, a -> c, b + c -> d).
terraform {
  required_version = ">= 1.10"
  backend "s3" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

provider "aws" {
  region                      = var.aws_region
  skip_credentials_validation = length(var.aws_endpoints) > 0
  skip_requesting_account_id  = length(var.aws_endpoints) > 0
  skip_metadata_api_check     = length(var.aws_endpoints) > 0
  s3_use_path_style           = length(var.aws_endpoints) > 0

  endpoints {
    s3  = lookup(var.aws_endpoints, "s3", null)
    ssm = lookup(var.aws_endpoints, "ssm", null)
    sts = lookup(var.aws_endpoints, "sts", null)
    iam = lookup(var.aws_endpoints, "iam", null)
  }
}

variable "aws_region" {
  description = "AWS region."
  type        = string
}

variable "aws_endpoints" {
  description = "Service endpoints of an AWS emulator; empty for AWS."
  type        = map(string)
  default     = {}
}

variable "prefix" {
  description = "Resource name prefix ({service}-{env})."
  type        = string
}
