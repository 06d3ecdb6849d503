output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "target_group_arns" {
  description = "Target group ARNs by colour (blue, green)."
  value       = { for c, tg in aws_lb_target_group.this : c => tg.arn }
}

output "request_count_labels" {
  description = "Resource labels for ALBRequestCountPerTarget scaling, by colour (<alb arn suffix>/<target group arn suffix>)."
  value       = { for c, tg in aws_lb_target_group.this : c => "${aws_lb.this.arn_suffix}/${tg.arn_suffix}" }
}

output "listener_arns" {
  description = "ARNs of the listeners that forward to the target groups."
  value       = concat(aws_lb_listener.http_forward[*].arn, aws_lb_listener.https[*].arn)
}
