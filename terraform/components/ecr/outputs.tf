output "repository_urls" {
  description = "Repository URL per short name (\"web\"/\"api\" => URL)."
  value       = module.ecr.repository_urls
}

output "repository_arns" {
  description = "Repository ARN per short name."
  value       = module.ecr.repository_arns
}

output "repository_names" {
  description = "Full repository name per short name."
  value       = module.ecr.repository_names
}

output "registry_id" {
  description = "ID of the registry (AWS account) holding the repositories."
  value       = module.ecr.registry_id
}
