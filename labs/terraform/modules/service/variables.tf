################################################################################
# ECR repository and logs
################################################################################

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "cloudlab"
}

variable "ecr_repository_name" {
  description = "Name of the ECR repository."
  type        = string
  default     = "flask_deployment-prod-ecr"
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the app's logs."
  type        = number
  default     = 14
}

################################################################################
# Task definitions
################################################################################

variable "image_tags" {
  description = "Image tag per colour, e.g. { blue = \"v1\", green = \"v2\" }."
  type        = map(string)
  default     = { blue = "v1", green = "v1" }

  validation {
    condition     = alltrue([for c in ["blue", "green"] : contains(keys(var.image_tags), c)])
    error_message = "image_tags needs a tag for both \"blue\" and \"green\"."
  }
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU); the root module checks the Fargate sizes."
  type        = number
  default     = 256
}

variable "task_memory" {
  description = "Memory per task in MiB; the root module checks it against task_cpu."
  type        = number
  default     = 512
}

variable "app_port" {
  description = "TCP port the container listens on."
  type        = number
  default     = 5000
}

variable "trusted_proxy_hops" {
  description = "Proxies in front of the app whose X-Forwarded-For is believed (1: the load balancer)."
  type        = number
  default     = 1
}

################################################################################
# Services
################################################################################

variable "private_subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
  default     = []
}

variable "security_group_id" {
  description = "The tasks' security group."
  type        = string
  default     = null
}

variable "target_group_arns" {
  description = "Target group ARN per colour."
  type        = map(string)
  default     = {}
}

variable "green_weight" {
  description = "Percentage of requests going to green; a colour with no traffic scales to zero tasks."
  type        = number
  default     = 0
}

################################################################################
# Autoscaling
################################################################################

variable "target_group_labels" {
  description = "ALBRequestCountPerTarget resource label per colour."
  type        = map(string)
  default     = {}
}

variable "min_tasks" {
  description = "Fewest tasks of a colour that receives traffic."
  type        = number
  default     = 2
}

variable "max_tasks" {
  description = "Most tasks per colour."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Average CPU percentage that target tracking aims for."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "Requests per task per minute that target tracking aims for."
  type        = number
  default     = 1000
}
