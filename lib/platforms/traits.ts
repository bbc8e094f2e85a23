import type { FloatingAddressMode } from "./floating-address";
import type { ManagedDatabaseKind } from "./managed-database";
import type { ManagedLoadBalancerKind } from "./managed-load-balancer";

/** What a platform's health-checked DNS names can do. */
export interface HealthCheckedNameTraits {
  /**
   * The name servers are hosts the platform runs (PowerDNS on Docker), as many as the topology
   * asks for; false: the cloud's managed service answers (Route 53).
   */
  readonly selfHostedServers: boolean;
  /** Most healthy addresses one answer can hold (Route 53 multivalue: 8); undefined: no limit. */
  readonly maxHealthyAnswers?: number;
  /** The check intervals the checker offers, in ms (Route 53: 10000, 30000); undefined: whole seconds from 1 s. */
  readonly checkIntervalsMs?: readonly number[];
}

/**
 * What a platform can do, for topologies that must adapt: a topology tests a trait, never the
 * platform's type.
 */
export interface PlatformTraits {
  /** VRRP multicast adverts reach the peers (false in clouds: keepalived must use unicast). */
  readonly multicast: boolean;
  /** The ways this platform can move a floating address, the default first. */
  readonly floatingAddressModes: readonly FloatingAddressMode[];
  /** The cloud-managed load balancers it offers (none on Docker). */
  readonly managedLoadBalancers: readonly ManagedLoadBalancerKind[];
  /** The cloud-managed PostgreSQL kinds it offers (none on Docker). */
  readonly managedDatabases: readonly ManagedDatabaseKind[];
  /** Traffic between hosts passes a firewall that opens only declared flows (AWS security groups). */
  readonly filtersTraffic: boolean;
  /** Hosts on different segments reach each other (a VPC's subnets); Docker networks do not. */
  readonly routesBetweenSegments: boolean;
  /** Health-checked DNS names (see IPlatform.addHealthCheckedName). */
  readonly healthCheckedNames: HealthCheckedNameTraits;
  /**
   * Hosts may run BGP sessions with each other and install equal-cost multipath routes learnt
   * from them (Docker bridges: yes; a VPC routes by its own route tables only: no).
   */
  readonly bgpEcmp: boolean;
  /** The hosts' kernel has IPVS with the Maglev (`mh`) scheduler. */
  readonly kernelL4: boolean;
}
