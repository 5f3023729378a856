locals {
  repositories = { for name in var.repositories : name => "${var.prefix}-${name}" }
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  #checkov:skip=CKV_AWS_51:Tag mutability is the image_tag_mutability input: IMMUTABLE in production, MUTABLE in staging where "latest" is pushed again.
  name                 = each.value
  image_tag_mutability = var.image_tag_mutability
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = var.scan_on_push
  }

  encryption_configuration {
    encryption_type = var.kms_key_arn == null ? "AES256" : "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = each.value })
}
