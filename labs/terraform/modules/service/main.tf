# The app on ECS Fargate: its image repository, log group, secret and IAM roles, one
# cluster, one task definition and one service per colour (blue and green), each in the
# private subnets behind its target group, with autoscaling on CPU and on requests.

locals {
  colours = toset(["blue", "green"])

  # A colour that receives traffic runs at least min_tasks; one with weight 0 scales to 0.
  live = { blue = var.green_weight < 100, green = var.green_weight > 0 }

  container_name = "app"
}

data "aws_region" "current" {}

################################################################################
# ECR repository
################################################################################

resource "aws_ecr_repository" "this" {
  name                 = var.ecr_repository_name
  image_tag_mutability = "IMMUTABLE"

  # `terraform destroy` also deletes the images in it: this is a lab.
  force_delete = true

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Delete untagged images after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the 20 most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = 20
        }
        action = { type = "expire" }
      },
    ]
  })
}

################################################################################
# CloudWatch log group
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs by default; a customer-managed KMS key costs USD 1 a month and a key policy, beyond this lab.
  #checkov:skip=CKV_AWS_338:A lab keeps logs for days, not a year; retention is a variable.
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

################################################################################
# The app's SECRET_KEY (signs session cookies; every task needs the same one)
################################################################################

resource "random_password" "secret_key" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "secret_key" {
  #checkov:skip=CKV_AWS_149:Encrypted with the AWS-managed key for Secrets Manager; a customer-managed KMS key is beyond this lab.
  #checkov:skip=CKV2_AWS_57:Rotation needs a Lambda function; rotating this key only logs everyone out, so the lab replaces it by re-creating the stack.
  name_prefix             = "${var.name}-secret-key-"
  description             = "SECRET_KEY of the Flask app (signs the session cookie)"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "secret_key" {
  secret_id     = aws_secretsmanager_secret.secret_key.id
  secret_string = random_password.secret_key.result
}

################################################################################
# IAM: the execution role (ECS pulls the image, writes logs, reads the secret) and
# the task role (what the app itself may call: nothing)
################################################################################

locals {
  ecs_tasks_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-exec-"
  assume_role_policy = local.ecs_tasks_trust
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "execution_secret" {
  name = "read-secret-key"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = aws_secretsmanager_secret.secret_key.arn
    }]
  })
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  assume_role_policy = local.ecs_tasks_trust
}

################################################################################
# ECS cluster
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

################################################################################
# Task definitions (one per colour: the image tag and COLOR differ)
################################################################################

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:The app keeps its fingerprint database in a SQLite file under instance/, so its root file system must be writable.
  for_each = local.colours

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = local.container_name
    image     = "${aws_ecr_repository.this.repository_url}:${var.image_tags[each.key]}"
    essential = true

    portMappings = [{ containerPort = var.app_port, protocol = "tcp" }]

    environment = [
      { name = "APP_ENV", value = "production" },
      { name = "BIND_ALL", value = "1" },
      { name = "PORT", value = tostring(var.app_port) },
      { name = "TRUSTED_PROXY_HOPS", value = tostring(var.trusted_proxy_hops) },
      { name = "COLOR", value = each.key },
      { name = "VERSION", value = var.image_tags[each.key] },
    ]

    secrets = [{ name = "SECRET_KEY", valueFrom = aws_secretsmanager_secret.secret_key.arn }]

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = each.key
      }
    }
  }])

  depends_on = [aws_secretsmanager_secret_version.secret_key]
}

################################################################################
# Services: in the private subnets, no public IP, behind their target group
################################################################################

resource "aws_ecs_service" "this" {
  for_each = local.colours

  name            = "${var.name}-${each.key}"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this[each.key].arn
  launch_type     = "FARGATE"
  desired_count   = local.live[each.key] ? var.min_tasks : 0

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arns[each.key]
    container_name   = local.container_name
    container_port   = var.app_port
  }

  health_check_grace_period_seconds = 30

  # A deployment whose tasks never become healthy stops and rolls back by itself.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  # After creation, autoscaling owns the number of tasks.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

################################################################################
# Application autoscaling: target tracking on CPU and on requests per task
################################################################################

resource "aws_appautoscaling_target" "this" {
  for_each = local.colours

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = local.live[each.key] ? var.min_tasks : 0
  max_capacity       = var.max_tasks
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each = local.colours

  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  for_each = local.colours

  name               = "${var.name}-${each.key}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = var.target_group_labels[each.key]
    }
  }
}
