################################################################################
# Load balancer
################################################################################

variable "name" {
  description = "Prefix of every resource name (at most 26 characters: target group names are limited to 32)."
  type        = string
  default     = "cloudlab"

  validation {
    condition     = length(var.name) <= 26
    error_message = "name must be at most 26 characters, so that \"<name>-green\" fits the 32-character limit of target group names."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the target groups belong to."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancer (at least two zones)."
  type        = list(string)
  default     = []
}

variable "security_group_id" {
  description = "The load balancer's security group."
  type        = string
  default     = null
}

variable "enable_ipv6" {
  description = "Dual-stack load balancer (IPv4 and IPv6 addresses)."
  type        = bool
  default     = false
}

################################################################################
# Target groups
################################################################################

variable "app_port" {
  description = "Port the app's tasks listen on."
  type        = number
  default     = 5000
}

variable "health_check_path" {
  description = "Path the load balancer asks for to decide whether a task is healthy (expects 200)."
  type        = string
  default     = "/healthz"
}

################################################################################
# Listeners
################################################################################

variable "certificate_arn" {
  description = "ACM certificate ARN for HTTPS, or null for plain HTTP."
  type        = string
  default     = null
}

variable "green_weight" {
  description = "Percentage of requests sent to green (blue gets 100 - green_weight)."
  type        = number
  default     = 0

  validation {
    condition     = var.green_weight >= 0 && var.green_weight <= 100
    error_message = "green_weight is a percentage from 0 to 100."
  }
}
