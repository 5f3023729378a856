variable "from_b" {
  description = "b's value."
  type        = string
}

variable "from_c" {
  description = "c's value."
  type        = string
}

variable "bucket" {
  description = "a's bucket."
  type        = string
}

variable "note" {
  description = "Only feeds an output: changing it changes outputs and no resource."
  type        = string
  default     = ""
}

resource "aws_s3_object" "d" {
  bucket  = var.bucket
  key     = "diamond/d.txt"
  content = "d(${var.from_b},${var.from_c})"
}

output "value" {
  description = "What d wrote."
  value       = aws_s3_object.d.content
}

output "note" {
  description = "The note, as given."
  value       = var.note
}
