variable "prefix" {
  description = "Resource name prefix, {service}-{environment}; the bucket is {prefix}-assets unless bucket_name is given."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Bucket name; null = {prefix}-assets. S3 names are global, so an account may need its own suffix."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "force_destroy" {
  description = "Let Terraform delete the bucket with the objects in it (destroying an environment); false refuses while it holds objects."
  type        = bool
  default     = false
}

variable "versioning" {
  description = "Keep object versions (production). Off in the staging cost profile; turning it off later suspends versioning."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key for default encryption (SSE-KMS with an S3 bucket key); null = SSE-S3 (AES256). With CloudFront, the key policy must let cloudfront.amazonaws.com decrypt."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted and their parts deleted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number of at least 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced (noncurrent) object version is kept when versioning is on."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "noncurrent_versions_to_keep" {
  description = "Newest noncurrent versions kept regardless of age when versioning is on (0 = none beyond the expiry)."
  type        = number
  default     = 3

  validation {
    condition     = var.noncurrent_versions_to_keep >= 0 && var.noncurrent_versions_to_keep <= 100 && floor(var.noncurrent_versions_to_keep) == var.noncurrent_versions_to_keep
    error_message = "noncurrent_versions_to_keep must be a whole number from 0 to 100."
  }
}

variable "cloudfront_access" {
  description = "Let CloudFront (origin access control, service principal cloudfront.amazonaws.com) read objects, restricted to this account's distributions by an AWS:SourceArn condition."
  type        = bool
  default     = false
}

variable "logging_target_bucket" {
  description = "Bucket that receives S3 server access logs of this bucket; null = no access logging."
  type        = string
  default     = null

  validation {
    condition     = var.logging_target_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logging_target_bucket))
    error_message = "logging_target_bucket must be a bucket name."
  }
}

variable "logging_target_prefix" {
  description = "Key prefix of the access logs in logging_target_bucket; null = s3-access-logs/<bucket>/."
  type        = string
  default     = null
}
