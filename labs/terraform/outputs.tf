output "alb_dns_name" {
  description = "DNS name of the Application Load Balancer."
  value       = module.load_balancer.dns_name
}

output "app_url" {
  description = "URL of the app (HTTPS when a certificate was given; then point your domain's DNS at alb_dns_name)."
  value       = var.certificate_arn != null ? "https://${module.load_balancer.dns_name}/" : "http://${module.load_balancer.dns_name}/"
}

output "ecr_repository_url" {
  description = "ECR repository URL to tag and push the image to (docker tag ... <url>:<tag>)."
  value       = module.service.ecr_repository_url
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.service.cluster_name
}

output "ecs_service_names" {
  description = "Names of the ECS services, by colour (blue, green)."
  value       = module.service.service_names
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "traffic_split" {
  description = "Percentage of requests each colour receives."
  value       = { blue = 100 - var.green_weight, green = var.green_weight }
}
