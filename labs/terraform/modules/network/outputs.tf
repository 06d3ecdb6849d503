output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_ipv6_cidr_block" {
  description = "The VPC's Amazon-provided IPv6 /56 (null without IPv6)."
  value       = var.enable_ipv6 ? aws_vpc.this.ipv6_cidr_block : null
}

output "az_names" {
  description = "Zone letter to Availability Zone name, as resolved in this region."
  value       = local.az_name
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in plan order."
  value       = [for n in var.public_subnet_names : aws_subnet.this[n].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in plan order."
  value       = [for n in var.private_subnet_names : aws_subnet.this[n].id]
}

output "isolated_subnet_ids" {
  description = "IDs of the isolated subnets, in plan order."
  value       = [for n in var.isolated_subnet_names : aws_subnet.this[n].id]
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by zone letter."
  value       = { for az, nat in aws_nat_gateway.this : az => nat.id }
}

output "alb_security_group_id" {
  description = "ID of the load balancer's security group."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "ID of the app tasks' security group."
  value       = aws_security_group.app.id
}
