# An Application Load Balancer in the public subnets, with two target groups (blue and
# green) for the app's tasks and an HTTP listener that splits requests between them by
# weight, or redirects to an HTTPS listener that does, when a certificate is given.

locals {
  colours = ["blue", "green"]
  https   = var.certificate_arn != null
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150:Deletion protection is off on purpose: `terraform destroy` must remove the lab in one step.
  #checkov:skip=CKV_AWS_91:Access logs need an S3 bucket with a bucket policy for the ELB service; left out of this lab to keep it small (CloudWatch has the app's own logs).
  #checkov:skip=CKV2_AWS_20:HTTP redirects to HTTPS whenever certificate_arn is given; without a domain and certificate a lab can only serve HTTP.
  #checkov:skip=CKV2_AWS_28:A WAF web ACL costs USD 5 a month plus rules; this teaching app has nothing to protect.
  name               = "${var.name}-alb"
  load_balancer_type = "application"
  internal           = false
  subnets            = var.public_subnet_ids
  security_groups    = [var.security_group_id]
  ip_address_type    = var.enable_ipv6 ? "dualstack" : "ipv4"

  enable_deletion_protection = false
  drop_invalid_header_fields = true
}

################################################################################
# Target groups: one per colour; Fargate tasks register by IP address
################################################################################

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; from there to the tasks the traffic stays inside the VPC, and the app serves plain HTTP on its port.
  for_each = toset(local.colours)

  name                 = "${var.name}-${each.key}"
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.app_port
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Colour = each.key }
}

################################################################################
# Listeners
################################################################################

# Without a certificate: plain HTTP, weighted between blue and green.
resource "aws_lb_listener" "http_forward" {
  #checkov:skip=CKV_AWS_2:Only used when no certificate is given (a lab without a domain); give certificate_arn and port 80 redirects to HTTPS instead.
  #checkov:skip=CKV_AWS_103:This listener speaks plain HTTP, so there is no TLS version to set; the HTTPS listener uses a TLS 1.3/1.2 policy.
  count = local.https ? 0 : 1

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this["blue"].arn
        weight = 100 - var.green_weight
      }
      target_group {
        arn    = aws_lb_target_group.this["green"].arn
        weight = var.green_weight
      }
    }
  }
}

# With a certificate: port 80 answers with a permanent redirect to HTTPS.
resource "aws_lb_listener" "http_redirect" {
  #checkov:skip=CKV_AWS_2:This listener only redirects to HTTPS (301); it never serves content over HTTP.
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = var.certificate_arn
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  default_action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this["blue"].arn
        weight = 100 - var.green_weight
      }
      target_group {
        arn    = aws_lb_target_group.this["green"].arn
        weight = var.green_weight
      }
    }
  }
}
