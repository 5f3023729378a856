# The component's own inputs; defaults are the staging profile. aws_region, aws_endpoints, service, environment
# and prefix come from component.tf.

variable "repositories" {
  description = "Short names of the repositories to create, one per image; each is named \"{prefix}-{name}\"."
  type        = list(string)
  default     = ["web", "api"]

  validation {
    condition     = length(var.repositories) > 0 && length(var.repositories) == length(distinct(var.repositories))
    error_message = "repositories must name at least one repository, each once."
  }
}

variable "image_tag_mutability" {
  description = "MUTABLE (staging) or IMMUTABLE (production: a pushed tag can never point at another image)."
  type        = string
  default     = "MUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE or IMMUTABLE."
  }
}

variable "scan_on_push" {
  description = "Scan images for vulnerabilities on push."
  type        = bool
  default     = true
}

variable "keep_tagged_images" {
  description = "How many tagged images each repository keeps; older tagged images expire."
  type        = number
  default     = 10

  validation {
    condition     = var.keep_tagged_images >= 1 && floor(var.keep_tagged_images) == var.keep_tagged_images
    error_message = "keep_tagged_images must be a whole number, at least 1."
  }
}

variable "untagged_expiry_days" {
  description = "Untagged images expire this many days after they were pushed."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days must be a whole number of days, at least 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN to encrypt the repositories with; null = AES256."
  type        = string
  default     = null
}

variable "force_delete" {
  description = "Allow deleting repositories that still hold images (true in local/staging so destroy works, false in production)."
  type        = bool
  default     = true
}
