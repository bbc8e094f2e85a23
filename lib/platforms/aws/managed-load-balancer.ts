import { Lazy, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import { type HealthCheck, HealthCheckKind } from "../../model/health-check";
import {
  type ManagedLoadBalancerBinding,
  ManagedLoadBalancerKind,
  type ManagedLoadBalancerRequest,
} from "../managed-load-balancer";
import { Traffic, TrafficSource } from "../traffic";
import type { AwsNetwork } from "./network";
import { aws } from "./provider-classes";
import type { AwsSecurityGroups } from "./security-groups";

/** What a managed load balancer uses of its platform. */
export interface AwsManagedLoadBalancerContext {
  readonly network: AwsNetwork;
  readonly namePrefix: string;
  readonly securityGroups: AwsSecurityGroups;
}

/** A HealthCheck within the limits of AWS target-group checks. */
interface TargetCheck {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** How it differs from the check asked for, if it does. */
  readonly notes: string[];
}

/** AWS target-group checks: interval 5-300 s, timeout 2-120 s, thresholds 2-10. */
function targetCheck(scope: Construct, check: HealthCheck): TargetCheck {
  const interval = Math.min(300, Math.max(5, Math.ceil(check.intervalMs / 1000)));
  const timeout = Math.min(interval - 1, 120, Math.max(2, Math.ceil(check.timeoutMs / 1000)));
  const notes: string[] = [];
  if (interval * 1000 !== check.intervalMs || timeout * 1000 !== check.timeoutMs) {
    notes.push(
      `${scope.node.path}: AWS checks targets every ${interval} s with a ${timeout} s timeout at the fastest; the HealthCheck asked for ${check.intervalMs} ms / ${check.timeoutMs} ms`,
    );
  }
  return {
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    healthyThreshold: Math.min(10, Math.max(2, check.healthyThreshold)),
    unhealthyThreshold: Math.min(10, Math.max(2, check.unhealthyThreshold)),
    notes,
  };
}

/** Throws a ValidationError for what the kind of load balancer cannot do. */
function checkRequest(scope: Construct, request: ManagedLoadBalancerRequest): void {
  const network = request.kind === ManagedLoadBalancerKind.NETWORK;
  const check = request.healthCheck;
  if (check.kind === HealthCheckKind.SCRIPT) {
    invalid(
      scope,
      "healthCheck",
      "script",
      "managed load balancers check by HTTP or TCP: use HealthCheck.http() or HealthCheck.tcp()",
    );
  }
  if (!network && check.kind !== HealthCheckKind.HTTP) {
    invalid(
      scope,
      "healthCheck",
      check.kind,
      "an application load balancer checks targets by HTTP: use HealthCheck.http()",
    );
  }
  if (network && request.stickyCookie) {
    invalid(
      scope,
      "stickiness",
      request.stickyCookie,
      "cookie stickiness needs an application load balancer",
    );
  }
}

/** The target group, with one attachment per target address read at synthesis. */
function targetGroup(
  context: AwsManagedLoadBalancerContext,
  scope: Construct,
  request: ManagedLoadBalancerRequest,
  timing: TargetCheck,
): string {
  const check = request.healthCheck;
  const group = new (aws().LbTargetGroup)(scope, "TargetGroup", {
    port: request.targetPort,
    protocol: request.kind === ManagedLoadBalancerKind.NETWORK ? "TCP" : "HTTP",
    targetType: "ip",
    vpcId: context.network.vpcId,
    // Connections to a deregistered target drain for 30 s, not AWS's default 300 s.
    deregistrationDelay: "30",
    healthCheck: {
      enabled: true,
      protocol: check.kind === HealthCheckKind.HTTP ? "HTTP" : "TCP",
      ...(check.kind === HealthCheckKind.HTTP
        ? { path: check.path, matcher: String(check.expectedStatus) }
        : {}),
      port: check.port !== undefined ? String(check.port) : "traffic-port",
      interval: timing.intervalSeconds,
      timeout: timing.timeoutSeconds,
      healthyThreshold: timing.healthyThreshold,
      unhealthyThreshold: timing.unhealthyThreshold,
    },
    ...(request.stickyCookie
      ? { stickiness: { type: "app_cookie", cookieName: request.stickyCookie, enabled: true } }
      : {}),
    lifecycle: { createBeforeDestroy: true },
  });
  return group.arn;
}

/** One attachment per target address, read at synthesis so that replicas added later count. */
function attachTargets(scope: Construct, request: ManagedLoadBalancerRequest, targetGroupArn: string): void {
  const targets = TerraformIterator.fromMap(
    Lazy.anyValue({
      produce: () => Object.fromEntries(request.targets().map((t) => [t.address, { port: t.port }])),
    }),
  );
  new (aws().LbTargetGroupAttachment)(scope, "Targets", {
    forEach: targets,
    targetGroupArn,
    targetId: targets.key,
    port: Token.asNumber(targets.getNumber("port")),
  });
}

/** Clients reach the listener; the load balancer reaches the targets' traffic and check ports. */
function openFlows(
  context: AwsManagedLoadBalancerContext,
  scope: Construct,
  request: ManagedLoadBalancerRequest,
) {
  const groups = context.securityGroups;
  groups.allow(scope, {
    toGroup: request.trafficGroup,
    traffic: Traffic.tcp(request.listenerPort),
    from: TrafficSource.clients(),
    description: "clients to the listener",
  });
  const checkPort = request.healthCheck.port;
  for (const port of new Set([request.targetPort, ...(checkPort !== undefined ? [checkPort] : [])])) {
    groups.allow(scope, {
      toGroup: request.targetTrafficGroup,
      traffic: Traffic.tcp(port),
      from: TrafficSource.group({ trafficGroup: request.trafficGroup }),
      description: "load balancer to the targets",
    });
  }
}

/**
 * An NLB or ALB over every zone's subnet, cross-zone balancing on, targets registered by
 * address, health checks from the portable HealthCheck (within the limits AWS allows). Its
 * resources are children of a construct `id` under `parent`: Resource (the balancer),
 * TargetGroup, Listener, Targets; so several fit under one parent.
 */
export function awsManagedLoadBalancer(
  context: AwsManagedLoadBalancerContext,
  parent: Construct,
  id: string,
  request: ManagedLoadBalancerRequest,
): ManagedLoadBalancerBinding {
  const timing = targetCheck(parent, request.healthCheck);
  checkRequest(parent, request);
  const scope = new Construct(parent, id);
  const { zones } = context.network;
  const lb = new (aws().Lb)(scope, "Resource", {
    loadBalancerType: request.kind,
    internal: false,
    subnets: zones.map((z) => z.subnetId),
    securityGroups: [context.securityGroups.groupFor(request.trafficGroup).id],
    enableCrossZoneLoadBalancing: true,
    tags: { Name: `${context.namePrefix}-${parent.node.id}` },
  });
  const targetGroupArn = targetGroup(context, scope, request, timing);
  new (aws().LbListener)(scope, "Listener", {
    loadBalancerArn: lb.arn,
    port: request.listenerPort,
    protocol: request.kind === ManagedLoadBalancerKind.NETWORK ? "TCP" : "HTTP",
    defaultAction: [{ type: "forward", targetGroupArn }],
  });
  attachTargets(scope, request, targetGroupArn);
  openFlows(context, scope, request);
  return {
    dnsName: lb.dnsName,
    failureDomains: zones.map((z) => z.domain),
    targetDetectionSeconds: timing.intervalSeconds * timing.unhealthyThreshold,
    notes: timing.notes,
  };
}
