# Versions and providers of the root module.
#
# Terraform >= 1.9 is needed because the validation of var.task_memory refers to
# var.task_cpu (cross-variable validation arrived in Terraform 1.9).

terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # State stays in a local terraform.tfstate file (ignored by git) unless you configure a
  # remote backend. A team shares state in a bucket with locking; for example (fill in your
  # own bucket and region, then run `terraform init -migrate-state`; use_lockfile, S3's own
  # locking, needs Terraform 1.10 or newer):
  #
  # backend "s3" {
  #   bucket       = "<your-state-bucket>"
  #   key          = "cloudlab/terraform.tfstate"
  #   region       = "<your-region>"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

# The region comes from var.aws_region, or, when that is null (the default), from the
# AWS_REGION environment variable or your AWS profile, exactly like the AWS CLI.
#
# var.aws_endpoint_url switches every service this lab uses to one endpoint (the book's
# local emulator) and turns off the checks that need real AWS. When it is null, each
# argument below is null or false, which is the provider's normal behaviour.
provider "aws" {
  region = var.aws_region

  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  skip_region_validation      = local.emulated
  s3_use_path_style           = local.emulated

  endpoints {
    appautoscaling = var.aws_endpoint_url
    cloudwatch     = var.aws_endpoint_url
    ec2            = var.aws_endpoint_url
    ecr            = var.aws_endpoint_url
    ecs            = var.aws_endpoint_url
    elbv2          = var.aws_endpoint_url
    iam            = var.aws_endpoint_url
    logs           = var.aws_endpoint_url
    secretsmanager = var.aws_endpoint_url
    sts            = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}
