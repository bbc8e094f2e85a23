import type { FloatingAddressMode } from "./floating-address";
import type { ManagedLoadBalancerKind } from "./managed-load-balancer";

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
  /** Traffic between hosts passes a firewall that opens only declared flows (AWS security groups). */
  readonly filtersTraffic: boolean;
  /** Hosts on different segments reach each other (a VPC's subnets); Docker networks do not. */
  readonly routesBetweenSegments: boolean;
}
