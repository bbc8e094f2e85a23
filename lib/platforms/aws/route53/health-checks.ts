import type { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import type { Construct } from "constructs";
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
