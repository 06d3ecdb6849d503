output "ecr_repository_url" {
  description = "URL of the ECR repository (push images here)."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service names by colour."
  value       = { for c, s in aws_ecs_service.this : c => s.name }
}

output "log_group_name" {
  description = "CloudWatch log group of the app."
  value       = aws_cloudwatch_log_group.this.name
}
