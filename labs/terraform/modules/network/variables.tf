################################################################################
# VPC
################################################################################

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "cloudlab"
}

variable "vpc_cidr" {
  description = "The VPC's IPv4 block (/16 to /28)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 28, false)
    error_message = "vpc_cidr must be an IPv4 block from /16 to /28."
  }
}

variable "azs" {
  description = "Availability Zone letters in plan order (\"a\" = first available zone by name)."
  type        = list(string)
  default     = ["a", "b"]
}

variable "az_count" {
  description = "Number of zones; subnet i of each kind lies in zone azs[i % az_count]."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 1
    error_message = "az_count must be at least 1."
  }
}

variable "enable_ipv6" {
  description = "Dual stack: an Amazon-provided IPv6 /56 for the VPC, a /64 per subnet, and an egress-only internet gateway."
  type        = bool
  default     = false
}

################################################################################
# Subnets
################################################################################

variable "public_subnet_cidrs" {
  description = "IPv4 blocks of the public subnets, zone by zone."
  type        = list(string)
  default     = []
}

variable "public_subnet_names" {
  description = "Names of the public subnets (same order)."
  type        = list(string)
  default     = []
}

variable "private_subnet_cidrs" {
  description = "IPv4 blocks of the private subnets, zone by zone."
  type        = list(string)
  default     = []
}

variable "private_subnet_names" {
  description = "Names of the private subnets (same order)."
  type        = list(string)
  default     = []
}

variable "isolated_subnet_cidrs" {
  description = "IPv4 blocks of the isolated subnets, zone by zone."
  type        = list(string)
  default     = []
}

variable "isolated_subnet_names" {
  description = "Names of the isolated subnets (same order)."
  type        = list(string)
  default     = []
}

variable "public_subnet_ipv6_netnums" {
  description = "With IPv6: netnum of each public subnet's /64 in the VPC's /56."
  type        = list(number)
  default     = []
}

variable "private_subnet_ipv6_netnums" {
  description = "With IPv6: netnum of each private subnet's /64 in the VPC's /56."
  type        = list(number)
  default     = []
}

variable "isolated_subnet_ipv6_netnums" {
  description = "With IPv6: netnum of each isolated subnet's /64 in the VPC's /56."
  type        = list(number)
  default     = []
}

################################################################################
# NAT gateways
################################################################################

variable "nat_mode" {
  description = "\"single\", \"per-az\" or \"none\"."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per-az", "none"], var.nat_mode)
    error_message = "nat_mode must be \"single\", \"per-az\" or \"none\"."
  }
}

################################################################################
# VPC flow logs
################################################################################

variable "enable_flow_logs" {
  description = "Send VPC flow logs to a CloudWatch log group."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days the flow logs are kept."
  type        = number
  default     = 14
}

################################################################################
# Security groups
################################################################################

variable "https_enabled" {
  description = "Open 443 on the load balancer's group (a certificate was given)."
  type        = bool
  default     = false
}

variable "app_port" {
  description = "TCP port the app's tasks listen on."
  type        = number
  default     = 5000
}
