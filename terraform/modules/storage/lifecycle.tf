################################################################################
# Lifecycle: no orphaned multipart parts; noncurrent versions expire when versioned
################################################################################

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  dynamic "rule" {
    for_each = var.versioning ? [1] : []
    content {
      id     = "expire-noncurrent-versions"
      status = "Enabled"

      filter {}

      noncurrent_version_expiration {
        noncurrent_days           = var.noncurrent_version_expiration_days
        newer_noncurrent_versions = var.noncurrent_versions_to_keep > 0 ? var.noncurrent_versions_to_keep : null
      }

      expiration {
        expired_object_delete_marker = true
      }
    }
  }

  # Lifecycle rules on a versioned bucket act on versions only once versioning is set.
  depends_on = [aws_s3_bucket_versioning.this]
}
