output "bucket_name" {
  description = "Name (id) of the assets bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the assets bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket, the CloudFront S3 origin's domain_name."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "bucket_domain_name" {
  description = "Global domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_domain_name
}

output "versioning" {
  description = "Whether object versioning is on."
  value       = var.versioning
}

output "encryption" {
  description = "Default encryption: AES256 (SSE-S3) or aws:kms."
  value       = var.kms_key_arn == null ? "AES256" : "aws:kms"
}
