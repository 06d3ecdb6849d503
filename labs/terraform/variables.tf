################################################################################
# Provider
################################################################################

variable "aws_region" {
  description = "Region to build in. Null (the default) lets the provider read AWS_REGION or your AWS profile, so no region is written into the code."
  type        = string
  default     = null
}

variable "aws_endpoint_url" {
  description = "Send every AWS API call to this URL (the book's local emulator, e.g. http://127.0.0.1:PORT) and skip the checks that need real AWS. Null (the default) means real AWS."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint_url == null || can(regex("^https?://", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must start with http:// or https:// (for example the URL the emulator prints), or be null for real AWS."
  }
}

################################################################################
# Network plan (written by cloudlab.vpc.plan: NetworkPlan.write_tfvars)
################################################################################

variable "name" {
  description = "Name of the plan; every resource name starts with it."
  type        = string
  default     = "cloudlab"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be 1-31 characters: a lowercase letter first, then lowercase letters, digits or '-' (it becomes part of resource names)."
  }
}

variable "vpc_cidr" {
  description = "The VPC's IPv4 block, e.g. 10.0.0.0/16."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 28, false)
    error_message = "vpc_cidr must be an IPv4 block from /16 (65,536 addresses) to /28 (16 addresses): AWS refuses VPC blocks outside that range."
  }
}

variable "azs" {
  description = "Availability Zones by letter, in plan order: \"a\" is the region's first available zone (by name), \"b\" the second. Terraform looks the names up, so no zone name is written in."
  type        = list(string)
  default     = ["a", "b"]

  validation {
    condition     = length(var.azs) >= 2 && alltrue([for az in var.azs : can(regex("^[a-z]$", az))])
    error_message = "azs needs at least two zone letters (\"a\", \"b\", ...): an Application Load Balancer must have subnets in at least two Availability Zones."
  }
}

variable "az_count" {
  description = "Number of Availability Zones (the length of azs); subnet i of each kind lies in zone azs[i % az_count]."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count == length(var.azs)
    error_message = "az_count must equal the number of zone letters in azs, and be at least 2: the load balancer needs two Availability Zones."
  }
}

variable "enable_ipv6" {
  description = "Give the VPC an Amazon-provided IPv6 /56 and every subnet a /64 from it (dual stack), with an egress-only internet gateway for the private subnets."
  type        = bool
  default     = false
}

variable "nat_mode" {
  description = "NAT gateways for the private subnets: \"single\" (one, in the first zone: cheaper), \"per-az\" (one per zone: survives the loss of a zone) or \"none\"."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per-az", "none"], var.nat_mode)
    error_message = "nat_mode must be \"single\", \"per-az\" or \"none\"."
  }
}

variable "public_subnet_cidrs" {
  description = "IPv4 blocks of the public subnets (load balancer, NAT gateways), zone by zone."
  type        = list(string)
  default     = ["10.0.12.0/24", "10.0.13.0/24"]

  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrnetmask(c)) && try(tonumber(split("/", c)[1]) >= 16 && tonumber(split("/", c)[1]) <= 28, false)])
    error_message = "Every public subnet block must be IPv4 /16 to /28: AWS's subnet size limits (a /28 has 16 addresses, 11 usable after the 5 AWS keeps)."
  }
}

variable "public_subnet_names" {
  description = "Names of the public subnets, in the same order as public_subnet_cidrs."
  type        = list(string)
  default     = ["public-a", "public-b"]
}

variable "private_subnet_cidrs" {
  description = "IPv4 blocks of the private subnets (the app's tasks), zone by zone."
  type        = list(string)
  default     = ["10.0.0.0/22", "10.0.4.0/22"]

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrnetmask(c)) && try(tonumber(split("/", c)[1]) >= 16 && tonumber(split("/", c)[1]) <= 28, false)])
    error_message = "Every private subnet block must be IPv4 /16 to /28: AWS's subnet size limits."
  }
}

variable "private_subnet_names" {
  description = "Names of the private subnets, in the same order as private_subnet_cidrs."
  type        = list(string)
  default     = ["app-a", "app-b"]
}

variable "isolated_subnet_cidrs" {
  description = "IPv4 blocks of the isolated subnets (no route out at all, e.g. for a database), zone by zone. May be empty."
  type        = list(string)
  default     = ["10.0.14.0/24", "10.0.15.0/24"]

  validation {
    condition     = alltrue([for c in var.isolated_subnet_cidrs : can(cidrnetmask(c)) && try(tonumber(split("/", c)[1]) >= 16 && tonumber(split("/", c)[1]) <= 28, false)])
    error_message = "Every isolated subnet block must be IPv4 /16 to /28: AWS's subnet size limits."
  }
}

variable "isolated_subnet_names" {
  description = "Names of the isolated subnets, in the same order as isolated_subnet_cidrs."
  type        = list(string)
  default     = ["data-a", "data-b"]
}

variable "public_subnet_ipv6_netnums" {
  description = "With IPv6: each public subnet's /64 is cidrsubnet(VPC /56, 8, netnum)."
  type        = list(number)
  default     = []
}

variable "private_subnet_ipv6_netnums" {
  description = "With IPv6: each private subnet's /64 is cidrsubnet(VPC /56, 8, netnum)."
  type        = list(number)
  default     = []
}

variable "isolated_subnet_ipv6_netnums" {
  description = "With IPv6: each isolated subnet's /64 is cidrsubnet(VPC /56, 8, netnum)."
  type        = list(number)
  default     = []
}

variable "tags" {
  description = "Tags put on every resource (the plan adds cloudlab:plan = its name, so leftovers can be found)."
  type        = map(string)
  default     = {}
}

variable "enable_flow_logs" {
  description = "Record the VPC's accepted and rejected traffic (VPC flow logs) in a CloudWatch log group. Off by default: the logs are billed per GB."
  type        = bool
  default     = false
}

################################################################################
# Load balancer
################################################################################

variable "certificate_arn" {
  description = "ARN of an ACM certificate for your domain. Given: the ALB listens on 443 and port 80 redirects to HTTPS. Null (the default): plain HTTP on port 80."
  type        = string
  default     = null
}

variable "green_weight" {
  description = "Percentage of requests the listener sends to the green target group; blue gets the rest. 0 = all blue, 100 = all green."
  type        = number
  default     = 0

  validation {
    condition     = var.green_weight >= 0 && var.green_weight <= 100 && floor(var.green_weight) == var.green_weight
    error_message = "green_weight is a whole percentage from 0 (all traffic to blue) to 100 (all to green)."
  }
}

################################################################################
# Service
################################################################################

variable "ecr_repository_name" {
  description = "Name of the ECR repository the image is pushed to."
  type        = string
  default     = "flask_deployment-prod-ecr"

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.ecr_repository_name)) && length(var.ecr_repository_name) >= 2 && length(var.ecr_repository_name) <= 256
    error_message = "ECR repository names are 2-256 characters of lowercase letters, digits and . _ - / (no capitals, no spaces)."
  }
}

variable "image_tag" {
  description = "Image tag the blue service runs (tags are immutable: push a new tag for every version)."
  type        = string
  default     = "v1"
}

variable "green_image_tag" {
  description = "Image tag the green service runs. Null (the default): the same as image_tag."
  type        = string
  default     = null
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU). Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be one of Fargate's sizes: 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units (1024 = 1 vCPU)."
  }
}

variable "task_memory" {
  description = "Memory per task in MiB; Fargate allows only certain amounts for each task_cpu."
  type        = number
  default     = 512

  # Fargate's valid CPU/memory pairs (AWS: "Amazon ECS task definition parameters for
  # Fargate", Task size). range(start, limit, step) stops before limit.
  validation {
    condition = contains(lookup({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }, tostring(var.task_cpu), []), var.task_memory)
    error_message = "Fargate does not offer this memory with this CPU. With 256 CPU units: 512, 1024 or 2048 MiB; 512: 1-4 GiB; 1024: 2-8 GiB; 2048: 4-16 GiB; 4096: 8-30 GiB (1 GiB steps); 8192: 16-60 GiB (4 GiB steps); 16384: 32-120 GiB (8 GiB steps)."
  }
}

variable "min_tasks" {
  description = "Fewest tasks of the live colour(s); 2 keeps one task in each of two zones."
  type        = number
  default     = 2

  validation {
    condition     = var.min_tasks >= 1
    error_message = "min_tasks must be at least 1."
  }
}

variable "max_tasks" {
  description = "Most tasks autoscaling may run per colour."
  type        = number
  default     = 4

  validation {
    condition     = var.max_tasks >= 1 && var.max_tasks <= 100
    error_message = "max_tasks must be 1-100 (and at least min_tasks)."
  }
}

variable "cpu_target_percent" {
  description = "Target tracking keeps the service's average CPU near this percentage."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent > 0 && var.cpu_target_percent <= 100
    error_message = "cpu_target_percent is a percentage above 0 and at most 100."
  }
}

variable "requests_per_target" {
  description = "Target tracking keeps requests per task per minute (ALBRequestCountPerTarget) near this number."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_target > 0
    error_message = "requests_per_target must be positive."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the app's logs."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "CloudWatch Logs accepts only these retention periods (days): 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}
