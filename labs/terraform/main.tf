# The book's architecture as code: a VPC from the network plan, an Application Load
# Balancer in its public subnets, and the Flask app on ECS Fargate in its private subnets,
# deployed blue/green. Each part is a local module under ./modules.

locals {
  emulated = var.aws_endpoint_url != null
  tags     = merge({ "cloudlab:lab" = "terraform" }, var.tags)
}

################################################################################
# Network: VPC, subnets, gateways, route tables, security groups
################################################################################

module "network" {
  source = "./modules/network"

  name                         = var.name
  vpc_cidr                     = var.vpc_cidr
  azs                          = var.azs
  az_count                     = var.az_count
  enable_ipv6                  = var.enable_ipv6
  nat_mode                     = var.nat_mode
  public_subnet_cidrs          = var.public_subnet_cidrs
  public_subnet_names          = var.public_subnet_names
  private_subnet_cidrs         = var.private_subnet_cidrs
  private_subnet_names         = var.private_subnet_names
  isolated_subnet_cidrs        = var.isolated_subnet_cidrs
  isolated_subnet_names        = var.isolated_subnet_names
  public_subnet_ipv6_netnums   = var.public_subnet_ipv6_netnums
  private_subnet_ipv6_netnums  = var.private_subnet_ipv6_netnums
  isolated_subnet_ipv6_netnums = var.isolated_subnet_ipv6_netnums
  enable_flow_logs             = var.enable_flow_logs
  flow_log_retention_days      = var.log_retention_days
  https_enabled                = var.certificate_arn != null
  app_port                     = 5000
}

################################################################################
# Load balancer: ALB, blue and green target groups, listeners
################################################################################

module "load_balancer" {
  source = "./modules/load_balancer"

  name              = var.name
  vpc_id            = module.network.vpc_id
  public_subnet_ids = module.network.public_subnet_ids
  security_group_id = module.network.alb_security_group_id
  enable_ipv6       = var.enable_ipv6
  certificate_arn   = var.certificate_arn
  green_weight      = var.green_weight
  app_port          = 5000
  health_check_path = "/healthz"
}

################################################################################
# Service: ECR, logs, IAM, ECS cluster, task definition, blue and green services
################################################################################

module "service" {
  source = "./modules/service"

  name                = var.name
  private_subnet_ids  = module.network.private_subnet_ids
  security_group_id   = module.network.app_security_group_id
  target_group_arns   = module.load_balancer.target_group_arns
  target_group_labels = module.load_balancer.request_count_labels
  ecr_repository_name = var.ecr_repository_name
  image_tags          = { blue = var.image_tag, green = coalesce(var.green_image_tag, var.image_tag) }
  green_weight        = var.green_weight
  task_cpu            = var.task_cpu
  task_memory         = var.task_memory
  app_port            = 5000
  min_tasks           = var.min_tasks
  max_tasks           = max(var.max_tasks, var.min_tasks)
  cpu_target_percent  = var.cpu_target_percent
  requests_per_target = var.requests_per_target
  log_retention_days  = var.log_retention_days
  trusted_proxy_hops  = 1

  # The services register with the target groups, which must belong to a listener first.
  depends_on = [module.load_balancer]
}
