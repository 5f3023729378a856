variable "prefix" {
  description = "Resource name prefix ({service}-{environment}); each repository is named \"{prefix}-{name}\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-40 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "repositories" {
  description = "Short names of the repositories to create (one per container image), e.g. [\"web\", \"api\"]."
  type        = list(string)
  default     = ["web", "api"]

  validation {
    condition     = length(var.repositories) > 0 && length(var.repositories) == length(distinct(var.repositories))
    error_message = "repositories must name at least one repository, each once."
  }

  validation {
    condition     = alltrue([for name in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", name))])
    error_message = "Each repository name must be lower-case letters and digits, optionally separated by '.', '_' or '-'."
  }
}

variable "image_tag_mutability" {
  description = "Tag mutability of every repository: MUTABLE (staging: a tag such as latest may be pushed again) or IMMUTABLE (production)."
  type        = string
  default     = "MUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE or IMMUTABLE."
  }
}

variable "scan_on_push" {
  description = "Scan every image for vulnerabilities when it is pushed (ECR basic scanning)."
  type        = bool
  default     = true
}

variable "keep_tagged_images" {
  description = "Lifecycle policy: how many tagged images each repository keeps (the most recently pushed); older ones expire."
  type        = number
  default     = 10

  validation {
    condition     = var.keep_tagged_images >= 1 && var.keep_tagged_images <= 10000 && floor(var.keep_tagged_images) == var.keep_tagged_images
    error_message = "keep_tagged_images must be a whole number from 1 to 10000."
  }
}

variable "untagged_expiry_days" {
  description = "Lifecycle policy: untagged images expire this many days after they were pushed."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days must be a whole number of days, at least 1."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key to encrypt the repositories with; null encrypts with AES256 (ECR's S3-managed keys)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "force_delete" {
  description = "Let Terraform delete a repository that still holds images (true for local/staging so destroy works; false in production)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every repository (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
