import type { FailureDomain } from "../model/availability";
import type { HealthCheck } from "../model/health-check";

/** The kinds of cloud-managed load balancer. */
export enum ManagedLoadBalancerKind {
  /** L4 (AWS NLB): TCP, client addresses preserved, static per-zone addresses. */
  NETWORK = "network",
  /** L7 (AWS ALB): HTTP, cookie stickiness, path-aware health checks. */
  APPLICATION = "application",
}

/** A backend server as a managed load balancer sees it. */
export interface ManagedTarget {
  readonly address: string;
  readonly port: number;
}

/**
 * What a topology asks of a managed load balancer. The platform makes it under the scope and id
 * the topology gives, so that several fit in one scope.
 */
export interface ManagedLoadBalancerRequest {
  readonly kind: ManagedLoadBalancerKind;
  readonly listenerPort: number;
  /** Read at synthesis: targets added later count. */
  readonly targets: () => readonly ManagedTarget[];
  readonly targetPort: number;
  readonly healthCheck: HealthCheck;
  /** Traffic groups: the load balancer's own and its targets'. */
  readonly trafficGroup: string;
  readonly targetTrafficGroup: string;
  /** Cookie stickiness (application only). */
  readonly stickyCookie?: string;
}

/** A managed load balancer the platform made. */
export interface ManagedLoadBalancerBinding {
  /** The DNS name clients use. */
  readonly dnsName: string;
  /** The failure domains it spans, one component each in the HA report. */
  readonly failureDomains: readonly FailureDomain[];
  /** Seconds until a dead target stops getting new connections, as the cloud checks it. */
  readonly targetDetectionSeconds: number;
  /** How the cloud's check differs from the requested one, if it does. */
  readonly notes: readonly string[];
}
