# The VPC of the book's network plan: subnets in every zone, an internet gateway for the
# public subnets, NAT gateway(s) for the private ones, isolated subnets with no way out,
# optional IPv6 (dual stack) and optional flow logs.

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Zones are picked by letter from the sorted names, as the book's emulator build does; a zone AWS adds later gets a new letter and the plan's subnets stay where they are.
  state = "available"

  # Only real Availability Zones: no Local Zones or Wavelength Zones.
  filter {
    name   = "zone-type"
    values = ["availability-zone"]
  }
}

locals {
  letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"]

  # Zone letter -> zone name: "a" is the first available zone by name, "b" the second...
  zone_names = sort(data.aws_availability_zones.available.names)
  az_name    = { for az in var.azs : az => local.zone_names[index(local.letters, az)] }

  # Subnet i of each kind lies in zone azs[i % az_count] (the plan's export order).
  subnets = merge(
    { for i, n in var.public_subnet_names : n => {
      kind   = "public", cidr = var.public_subnet_cidrs[i], az = var.azs[i % var.az_count]
      netnum = try(var.public_subnet_ipv6_netnums[i], null)
    } },
    { for i, n in var.private_subnet_names : n => {
      kind   = "private", cidr = var.private_subnet_cidrs[i], az = var.azs[i % var.az_count]
      netnum = try(var.private_subnet_ipv6_netnums[i], null)
    } },
    { for i, n in var.isolated_subnet_names : n => {
      kind   = "isolated", cidr = var.isolated_subnet_cidrs[i], az = var.azs[i % var.az_count]
      netnum = try(var.isolated_subnet_ipv6_netnums[i], null)
    } },
  )

  # The public subnet of each zone (NAT gateways live there).
  public_by_az = { for n, s in local.subnets : s.az => n... if s.kind == "public" }

  # NAT gateways: none, one in the first zone, or one per zone. Each private zone's
  # route table then points at its own zone's gateway, or at the single one.
  nat_azs     = var.nat_mode == "per-az" ? var.azs : (var.nat_mode == "single" ? [var.azs[0]] : [])
  private_azs = distinct([for s in values(local.subnets) : s.az if s.kind == "private"])
}

################################################################################
# VPC
################################################################################

resource "aws_vpc" "this" {
  cidr_block                       = var.vpc_cidr
  assign_generated_ipv6_cidr_block = var.enable_ipv6
  enable_dns_support               = true
  enable_dns_hostnames             = true

  tags = { Name = var.name }
}

# Take every rule out of the VPC's default security group, so nothing can use it by
# accident: our resources get the two groups below instead.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-default-unused" }
}

################################################################################
# Subnets
################################################################################

resource "aws_subnet" "this" {
  for_each = local.subnets

  vpc_id            = aws_vpc.this.id
  cidr_block        = each.value.cidr
  availability_zone = local.az_name[each.value.az]

  # Nothing is launched with a public IPv4 address: the ALB and the NAT gateways get
  # theirs from AWS; the tasks run in private subnets.
  map_public_ip_on_launch = false

  ipv6_cidr_block                 = var.enable_ipv6 ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, each.value.netnum) : null
  assign_ipv6_address_on_creation = var.enable_ipv6 && each.value.kind != "isolated"

  tags = { Name = "${var.name}-${each.key}", Tier = each.value.kind }
}

################################################################################
# Internet gateway and egress-only internet gateway
################################################################################

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-igw" }
}

resource "aws_egress_only_internet_gateway" "this" {
  count = var.enable_ipv6 ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-eigw" }
}

################################################################################
# NAT gateways (each in a public subnet, with an Elastic IP)
################################################################################

resource "aws_eip" "nat" {
  for_each = toset(local.nat_azs)

  domain = "vpc"

  tags = { Name = "${var.name}-nat-${each.key}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  for_each = toset(local.nat_azs)

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.this[local.public_by_az[each.key][0]].id

  tags = { Name = "${var.name}-nat-${each.key}" }

  depends_on = [aws_internet_gateway.this]
}

################################################################################
# Route tables: public (to the internet gateway), private per zone (to a NAT
# gateway), isolated (local routes only)
################################################################################

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route" "public_internet_ipv6" {
  count = var.enable_ipv6 ? 1 : 0

  route_table_id              = aws_route_table.public.id
  destination_ipv6_cidr_block = "::/0"
  gateway_id                  = aws_internet_gateway.this.id
}

resource "aws_route_table" "private" {
  for_each = toset(local.private_azs)

  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-private-${each.key}" }
}

resource "aws_route" "private_nat" {
  for_each = var.nat_mode == "none" ? toset([]) : toset(local.private_azs)

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.nat_mode == "per-az" ? each.key : var.azs[0]].id
}

resource "aws_route" "private_ipv6_egress" {
  for_each = var.enable_ipv6 ? toset(local.private_azs) : toset([])

  route_table_id              = aws_route_table.private[each.key].id
  destination_ipv6_cidr_block = "::/0"
  egress_only_gateway_id      = aws_egress_only_internet_gateway.this[0].id
}

resource "aws_route_table" "isolated" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-isolated" }
}

resource "aws_route_table_association" "public" {
  for_each = { for n, s in local.subnets : n => s if s.kind == "public" }

  subnet_id      = aws_subnet.this[each.key].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private" {
  for_each = { for n, s in local.subnets : n => s if s.kind == "private" }

  subnet_id      = aws_subnet.this[each.key].id
  route_table_id = aws_route_table.private[each.value.az].id
}

resource "aws_route_table_association" "isolated" {
  for_each = { for n, s in local.subnets : n => s if s.kind == "isolated" }

  subnet_id      = aws_subnet.this[each.key].id
  route_table_id = aws_route_table.isolated.id
}

################################################################################
# VPC flow logs (optional)
################################################################################

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs by default; a customer-managed KMS key costs USD 1 a month and a key policy, beyond this lab.
  #checkov:skip=CKV_AWS_338:A lab keeps logs for days, not a year; retention is a variable.
  count = var.enable_flow_logs ? 1 : 0

  name              = "/cloudlab/${var.name}/vpc-flow-logs"
  retention_in_days = var.flow_log_retention_days
}

resource "aws_iam_role" "flow_logs" {
  count = var.enable_flow_logs ? 1 : 0

  name_prefix = "${var.name}-flow-logs-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.enable_flow_logs ? 1 : 0

  name = "write-flow-logs"
  role = aws_iam_role.flow_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.flow_logs[0].arn}:*"
    }]
  })
}

resource "aws_flow_log" "this" {
  count = var.enable_flow_logs ? 1 : 0

  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn    = aws_iam_role.flow_logs[0].arn
}
