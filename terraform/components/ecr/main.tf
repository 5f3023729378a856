module "ecr" {
  source = "../../modules/ecr"

  prefix               = var.prefix
  repositories         = var.repositories
  image_tag_mutability = var.image_tag_mutability
  scan_on_push         = var.scan_on_push
  keep_tagged_images   = var.keep_tagged_images
  untagged_expiry_days = var.untagged_expiry_days
  kms_key_arn          = var.kms_key_arn
  force_delete         = var.force_delete
}
