locals {
  bucket_name = coalesce(var.bucket_name, "${var.prefix}-assets")

  tags = merge(var.tags, { Component = "storage" })
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:static assets are rebuilt from the application repository; cross-region replication adds cost without need
  #checkov:skip=CKV_AWS_145:SSE-S3 by default so CloudFront OAC can read without a key policy; SSE-KMS is the kms_key_arn input
  #checkov:skip=CKV2_AWS_62:nothing consumes object events for static assets
  #checkov:skip=CKV_AWS_21:versioning is the versioning input: on in production, off in staging (the seed's cost profile)
  #checkov:skip=CKV_AWS_18:access logging is the logging_target_bucket input (no log bucket exists in the staging cost profile)

  bucket        = local.bucket_name
  force_destroy = var.force_destroy

  tags = local.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

# Only when versioning is on: an unversioned bucket stays unversioned, and turning versioning off later
# destroys this resource, which suspends versioning (S3 cannot un-version a bucket).
resource "aws_s3_bucket_versioning" "this" {
  count = var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "this" {
  count = var.logging_target_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.logging_target_bucket
  target_prefix = coalesce(var.logging_target_prefix, "s3-access-logs/${local.bucket_name}/")
}
