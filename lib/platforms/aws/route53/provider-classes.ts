import { optionalPeer } from "../../optional-peer";

/**
 * The provider's Route 53 classes, loaded when a health-checked name is first asked for (see
 * optionalPeer), each by its deep path: loading the package's root costs seconds.
 */
export const route53 = optionalPeer("@cdktf/provider-aws", () => ({
  CloudwatchMetricAlarm: (
    require("@cdktf/provider-aws/lib/cloudwatch-metric-alarm") as typeof import("@cdktf/provider-aws/lib/cloudwatch-metric-alarm")
  ).CloudwatchMetricAlarm,
  DataAwsIpRanges: (
    require("@cdktf/provider-aws/lib/data-aws-ip-ranges") as typeof import("@cdktf/provider-aws/lib/data-aws-ip-ranges")
  ).DataAwsIpRanges,
  Route53HealthCheck: (
    require("@cdktf/provider-aws/lib/route53-health-check") as typeof import("@cdktf/provider-aws/lib/route53-health-check")
  ).Route53HealthCheck,
  Route53Record: (
    require("@cdktf/provider-aws/lib/route53-record") as typeof import("@cdktf/provider-aws/lib/route53-record")
  ).Route53Record,
  Route53Zone: (
    require("@cdktf/provider-aws/lib/route53-zone") as typeof import("@cdktf/provider-aws/lib/route53-zone")
  ).Route53Zone,
}));
