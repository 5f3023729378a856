variable "from_a" {
  description = "a's value."
  type        = string
}

variable "token" {
  description = "a's sensitive token."
  type        = string
  sensitive   = true
}

variable "fail" {
  description = "Set to true to make this component fail validation (tests)."
  type        = bool
  default     = false

  validation {
    condition     = !var.fail
    error_message = "The test asked b to fail."
  }
}

variable "suffix" {
  description = "Appended to the stored value (tests change it to change only this component)."
  type        = string
  default     = ""
}

resource "aws_ssm_parameter" "b" {
  name  = "/${var.prefix}/diamond/b"
  type  = "SecureString"
  value = "b(${var.from_a})${var.suffix}"
}

output "value" {
  description = "What b stored."
  value       = aws_ssm_parameter.b.value
  sensitive   = true
}

output "plain" {
  description = "What b stored, not marked sensitive."
  value       = nonsensitive(aws_ssm_parameter.b.value)
}

output "token_length" {
  description = "Proves the sensitive token arrived."
  value       = length(nonsensitive(var.token))
}
