variable "seed" {
  description = "Any text; b and c derive their values from it."
  type        = string
}

variable "generation" {
  description = "Part of the parameter's name: changing it replaces the parameter (create before destroy)."
  type        = number
  default     = 1
}

resource "aws_ssm_parameter" "a" {
  name  = "/${var.prefix}/diamond/a${var.generation}"
  type  = "String"
  value = "a(${var.seed})"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_s3_bucket" "diamond" {
  bucket        = "${var.prefix}-diamond"
  force_destroy = true
}

output "value" {
  description = "What a stored."
  value       = nonsensitive(aws_ssm_parameter.a.value)
}

output "bucket" {
  description = "The bucket d writes into."
  value       = aws_s3_bucket.diamond.bucket
}

output "token" {
  description = "A sensitive value that must never be printed."
  value       = "sensitive-${sha256(var.seed)}"
  sensitive   = true
}
