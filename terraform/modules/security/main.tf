# Account, region and the names shared by the files of this module (security_groups.tf, iam.tf, waf.tf).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  # data.aws_region's id is the region name under both provider majors (5 has name, 6 has region).
  region = data.aws_region.current.id
}
