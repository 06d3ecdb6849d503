# The two security groups of the book's design: the load balancer's, open to the web,
# and the app's, which admits only the load balancer on the app port. Every rule is its
# own resource, and every egress rule is written out (a group made by Terraform starts
# with no egress rule at all).

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to the load balancer in modules/load_balancer (through this module's output); checkov does not follow module outputs.
  name_prefix = "${var.name}-alb-"
  description = "Application Load Balancer: HTTP(S) from the internet, out only to the app tasks"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-alb" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:Attached to the ECS services in modules/service (through this module's output); checkov does not follow module outputs.
  name_prefix = "${var.name}-app-"
  description = "Flask tasks: the app port only from the load balancer, out over HTTPS"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-app" }

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  anywhere  = var.enable_ipv6 ? { ipv4 = "0.0.0.0/0", ipv6 = "::/0" } : { ipv4 = "0.0.0.0/0" }
  alb_ports = var.https_enabled ? { http = 80, https = 443 } : { http = 80 }
  alb_ingress = {
    for pair in setproduct(keys(local.alb_ports), keys(local.anywhere)) :
    "${pair[0]}-${pair[1]}" => { port = local.alb_ports[pair[0]], family = pair[1] }
  }
}

# A public web entry point must accept HTTP(S) from anyone: that is its job.
resource "aws_vpc_security_group_ingress_rule" "alb_web" {
  #checkov:skip=CKV_AWS_260:The load balancer is the public entry point: port 80 from anywhere is intended (it redirects to HTTPS when a certificate is given).
  for_each = local.alb_ingress

  security_group_id = aws_security_group.alb.id
  description       = "${upper(split("-", each.key)[0])} from anywhere (${each.value.family})"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.family == "ipv4" ? local.anywhere.ipv4 : null
  cidr_ipv6         = each.value.family == "ipv6" ? local.anywhere.ipv6 : null
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the app tasks on the app port (requests and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "The app port, only from the load balancer's group"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

# Tasks start connections only to AWS APIs over HTTPS (ECR image pulls, CloudWatch Logs,
# Secrets Manager), through the NAT gateway. Replies to the load balancer need no rule:
# security groups are stateful.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  for_each = local.anywhere

  security_group_id = aws_security_group.app.id
  description       = "HTTPS out (${each.key}): image pulls, logs, secrets"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.key == "ipv4" ? each.value : null
  cidr_ipv6         = each.key == "ipv6" ? each.value : null
}
