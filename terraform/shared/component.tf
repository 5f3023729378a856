# Shared by every component root, each of which links this file as component.tf: the partial S3 backend
# (filled in by the terraform_stack role), the one provider this project may require, and the inputs every
# component receives from terraform_stack_common_inputs.
terraform {
  required_version = ">= 1.10"

  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  # Against an emulator (aws_endpoints set) there is no metadata service. The account ID is still looked up
  # (the emulator answers STS): without it the provider reads security-group references back as
  # "<account>/sg-..." and plans them again on every run.
  skip_credentials_validation = length(var.aws_endpoints) > 0
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

  # The power function (plugins/module_utils/power.py) keeps a stopped service's desired count and capacity in
  # shipyard:* tags until it starts it again; an apply in between must not remove them.
  ignore_tags {
    key_prefixes = ["shipyard:"]
  }

  default_tags {
    tags = {
      Service     = var.service
      Environment = var.environment
      ManagedBy   = "shipyard.aws"
    }
  }
}

variable "aws_region" {
  description = "AWS region of the environment."
  type        = string
}

variable "aws_endpoints" {
  description = "Service endpoints of an AWS emulator (service name => URL); empty for AWS itself."
  type        = map(string)
  default     = {}
}

variable "service" {
  description = "Service name, the first part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]*[a-z0-9])?$", var.service))
    error_message = "service must be lower-case letters, digits or inner hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (local, staging, production, ...), the second part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]*[a-z0-9])?$", var.environment))
    error_message = "environment must be lower-case letters, digits or inner hyphens, starting with a letter."
  }
}

variable "prefix" {
  description = "Resource name prefix, {service}-{environment}, computed by the collection's resource_prefix filter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix)) && length(var.prefix) <= 40
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}
