output "repository_urls" {
  description = "Repository URL per short name (e.g. \"web\" => \"<account>.dkr.ecr.<region>.amazonaws.com/<prefix>-web\")."
  value       = { for name, repository in aws_ecr_repository.this : name => repository.repository_url }
}

output "repository_arns" {
  description = "Repository ARN per short name."
  value       = { for name, repository in aws_ecr_repository.this : name => repository.arn }
}

output "repository_names" {
  description = "Full repository name per short name (\"web\" => \"<prefix>-web\")."
  value       = { for name, repository in aws_ecr_repository.this : name => repository.name }
}

output "registry_id" {
  description = "ID of the registry (the AWS account) holding the repositories."
  value       = one(distinct([for repository in aws_ecr_repository.this : repository.registry_id]))
}

output "lifecycle_policy" {
  description = "The lifecycle policy document (JSON) applied to every repository."
  value       = local.lifecycle_policy
}
