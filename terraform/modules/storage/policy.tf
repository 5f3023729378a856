################################################################################
# Bucket policy: TLS only; CloudFront (OAC) may read when cloudfront_access
################################################################################

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.this.arn,
      "${aws_s3_bucket.this.arn}/*",
    ]

    # {"AWS": "*"} is everyone, as "*" is; it is written this way because moto mishandles a bare "*"
    # principal (PutBucketLogging failed on such a policy), and AWS treats both forms the same.
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = var.cloudfront_access ? [1] : []
    content {
      sid       = "AllowCloudFrontOriginAccessControlRead"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      # Any distribution of this account (edge depends on storage, not the other way round).
      condition {
        test     = "ArnLike"
        variable = "AWS:SourceArn"
        values   = ["arn:${data.aws_partition.current.partition}:cloudfront::${data.aws_caller_identity.current.account_id}:distribution/*"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  # The public-access block must exist first, or S3 may judge the policy before it applies.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
