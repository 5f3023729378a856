module "storage" {
  source = "../../modules/storage"

  prefix        = var.prefix
  bucket_name   = var.bucket_name
  force_destroy = var.force_destroy

  versioning                             = var.versioning
  kms_key_arn                            = var.kms_key_arn
  abort_incomplete_multipart_upload_days = var.abort_incomplete_multipart_upload_days
  noncurrent_version_expiration_days     = var.noncurrent_version_expiration_days
  noncurrent_versions_to_keep            = var.noncurrent_versions_to_keep

  cloudfront_access = var.cloudfront_access

  logging_target_bucket = var.logging_target_bucket
  logging_target_prefix = var.logging_target_prefix
}
