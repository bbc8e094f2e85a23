import type { FloatingAddressMode } from "../../platforms/floating-address";
import type { ISegment } from "../../platforms/segment";
import type { IBackendPool } from "../parts/backend-pool";
import type { HaproxyOptions } from "../parts/haproxy-proxy";
import type { VrrpOptions } from "../parts/vrrp-options";
import type { LoadBalancerImplementation } from "./load-balancer-implementation";

/** Properties of a VipPair: its own, the VRRP options and the HAProxy options (all flat). */
export interface VipPairProps extends VrrpOptions, HaproxyOptions {
  /**
   * The virtual IP clients connect to (see `FloatingAddressOptions.address` for what each mode
   * accepts).
   * @default - a free address of the segment; the cloud's address for an Elastic IP
   */
  readonly virtualIp?: string;
  /**
   * How the VIP moves between the nodes.
   * @default - the platform's default: gratuitous ARP on Docker, a secondary private IP on AWS
   */
  readonly addressMode?: FloatingAddressMode;
  /** Where the load balancers send traffic; must be on the pair's platform. */
  readonly backends: IBackendPool;
  /**
   * Self-managed keepalived + HAProxy nodes, or the cloud's managed load balancer (AWS NLB/ALB)
   * instead of them. The VRRP and HAProxy props apply to self-managed nodes only.
   * @default LoadBalancerImplementation.selfManaged()
   */
  readonly implementation?: LoadBalancerImplementation;
  /**
   * Number of load-balancer nodes sharing the VIP.
   * @default 2 - one active, one standby: survives the loss of either
   */
  readonly nodeCount?: number;
  /**
   * Port clients connect to on the VIP.
   * @default 80
   */
  readonly listenerPort?: number;
  /**
   * VRRP virtual router id of the main VIP; unique per segment.
   * @default - the lowest id from 51 up that is free on the segment
   */
  readonly virtualRouterId?: number;
  /**
   * The segment the nodes and the VIP live on.
   * @default - the platform's default segment
   */
  readonly segment?: ISegment;
}

/** The props that configure self-managed nodes, refused with a managed load balancer. */
export const NODE_ONLY_PROPS = [
  "virtualIp",
  "addressMode",
  "nodeCount",
  "vrrpVersion",
  "advertIntervalMs",
  "priorities",
  "preempt",
  "preemptDelaySeconds",
  "unicast",
  "virtualRouterId",
  "notify",
  "balance",
] as const;
