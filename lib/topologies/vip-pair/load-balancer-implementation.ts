import { ManagedLoadBalancerKind } from "../../platforms/managed-load-balancer";

/** What carries the pair's traffic: self-managed nodes, or the cloud's load balancer. */
export class LoadBalancerImplementation {
  /** keepalived + HAProxy nodes sharing VIPs (every platform). */
  public static selfManaged(): LoadBalancerImplementation {
    return new LoadBalancerImplementation(undefined);
  }

  /** The cloud's L4 load balancer (AWS NLB) instead of the nodes. */
  public static managedNetwork(): LoadBalancerImplementation {
    return new LoadBalancerImplementation(ManagedLoadBalancerKind.NETWORK);
  }

  /** The cloud's L7 load balancer (AWS ALB) instead of the nodes. */
  public static managedApplication(): LoadBalancerImplementation {
    return new LoadBalancerImplementation(ManagedLoadBalancerKind.APPLICATION);
  }

  private constructor(
    /** The managed kind, or undefined for self-managed nodes. */
    public readonly managedKind: ManagedLoadBalancerKind | undefined,
  ) {}
}
