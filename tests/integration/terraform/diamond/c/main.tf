variable "from_a" {
  description = "a's value."
  type        = string
}

variable "token" {
  description = "a's sensitive token."
  type        = string
  sensitive   = true
}

variable "suffix" {
  description = "Appended to the stored value (tests change it to change only this component)."
  type        = string
  default     = ""
}

resource "aws_ssm_parameter" "c" {
  name  = "/${var.prefix}/diamond/c"
  type  = "SecureString"
  value = "c(${var.from_a})${var.suffix}"
}

output "value" {
  description = "What c stored."
  value       = aws_ssm_parameter.c.value
  sensitive   = true
}

output "plain" {
  description = "What c stored, not marked sensitive."
  value       = nonsensitive(aws_ssm_parameter.c.value)
}

output "token_length" {
  description = "Proves the sensitive token arrived."
  value       = length(nonsensitive(var.token))
}
