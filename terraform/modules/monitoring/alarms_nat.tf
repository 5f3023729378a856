# NAT gateway traffic (the seeds' cost alarm): bytes sent to destinations summed over a day, per NAT gateway.
# Skipped when there is no NAT gateway (the staging profile).

resource "aws_cloudwatch_metric_alarm" "nat_bytes_out" {
  for_each = toset(var.nat_gateway_ids)

  alarm_name          = "${var.prefix}-${each.key}-bytes-out"
  alarm_description   = "NAT gateway ${each.key} sent more than ${var.nat_bytes_out_threshold} bytes in one day (data processing cost)."
  namespace           = "AWS/NATGateway"
  metric_name         = "BytesOutToDestination"
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.nat_bytes_out_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  dimensions = {
    NatGatewayId = each.key
  }

  tags = var.tags
}
