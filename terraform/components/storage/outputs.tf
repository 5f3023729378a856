output "bucket_name" {
  description = "Name (id) of the assets bucket."
  value       = module.storage.bucket_name
}

output "bucket_arn" {
  description = "ARN of the assets bucket."
  value       = module.storage.bucket_arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket, the CloudFront S3 origin's domain_name."
  value       = module.storage.bucket_regional_domain_name
}

output "bucket_domain_name" {
  description = "Global domain name of the bucket."
  value       = module.storage.bucket_domain_name
}

output "versioning" {
  description = "Whether object versioning is on."
  value       = module.storage.versioning
}

output "encryption" {
  description = "Default encryption: AES256 (SSE-S3) or aws:kms."
  value       = module.storage.encryption
}
