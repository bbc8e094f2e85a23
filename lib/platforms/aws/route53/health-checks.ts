import type { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Fn } from "cdktf";
import type { Construct } from "constructs";
import type { PublishedHealth } from "./health-metric";
import type { Route53Plan } from "./limits";
import { route53 } from "./provider-classes";

/** One member as Route 53's checkers probe it. */
export interface ProbedMember {
  /** The member's name in the request. */
  readonly name: string;
  /** The address the checkers probe (a public one: a token for an instance's public IP). */
  readonly address: string;
}

/**
 * An endpoint health check of one member, from Route 53's checker locations over the internet:
 * HTTP on the probe port and path, or a TCP connection, every `request_interval` seconds (10 or
 * 30), turning unhealthy after `failure_threshold` consecutive failures and healthy after as many
 * passes. The checker locations are left to Route 53 (all of them: it needs at least three when
 * they are named), and latency is not measured (a separate CloudWatch cost the pool never reads).
 */
export function endpointHealthCheck(
  scope: Construct,
  id: string,
  plan: Route53Plan,
  member: ProbedMember,
  nameTag: string,
): Route53HealthCheck {
  const { probe } = plan;
  return new (route53().Route53HealthCheck)(scope, id, {
    type: probe.type,
    ipAddress: member.address,
    port: probe.port,
    ...(probe.type === "HTTP" ? { resourcePath: probe.path } : {}),
    requestInterval: plan.intervalSeconds,
    failureThreshold: plan.failureThreshold,
    measureLatency: false,
    tags: { Name: nameTag },
  });
}

/**
 * A member's health as Route 53 reads it in a private zone: an alarm over the metric its host
 * publishes (Minimum below 1 for `failure_threshold` periods of `request_interval` seconds, a
 * high-resolution period of 10 or 30 s; missing data breaching, so a host that stops publishing
 * turns unhealthy), and a CLOUDWATCH_METRIC health check that follows the alarm, unhealthy while
 * the alarm has insufficient data (before the first values, and if CloudWatch cannot say).
 */
export function alarmHealthCheck(
  scope: Construct,
  plan: Route53Plan,
  health: PublishedHealth,
  nameTag: string,
): Route53HealthCheck {
  const n = plan.failureThreshold;
  const alarm = new (route53().CloudwatchMetricAlarm)(scope, "Alarm", {
    alarmName: nameTag,
    alarmDescription: `cdktf-ha-topologies: ${nameTag} fails its health probe (Route 53 answers without it while this is in ALARM)`,
    namespace: health.namespace,
    metricName: health.metricName,
    dimensions: { ...health.dimensions },
    statistic: "Minimum",
    period: plan.intervalSeconds,
    evaluationPeriods: n,
    datapointsToAlarm: n,
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
    tags: { Name: nameTag },
  });
  return new (route53().Route53HealthCheck)(scope, "HealthCheck", {
    type: "CLOUDWATCH_METRIC",
    cloudwatchAlarmName: alarm.alarmName,
    // The alarm's region, the fourth field of its ARN: no data source whose attribute differs
    // between provider lines (see arn.ts).
    cloudwatchAlarmRegion: Fn.element(Fn.split(":", alarm.arn), 3),
    insufficientDataHealthStatus: "Unhealthy",
    tags: { Name: nameTag },
  });
}
