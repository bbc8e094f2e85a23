import { Construct } from "constructs";
import { invalid } from "../../errors";
import type { FailurePrediction } from "../../model/availability";
import { assertConstructId, assertIntegerInRange, assertPort } from "../../model/config-text";
import { Spread } from "../../model/placement";
import type { IHost } from "../../platforms/host";
import { type IPlatform, Platform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import type { ITrafficPeer } from "../../platforms/traffic";
import type { IBackendPool } from "../parts/backend-pool";
import { addHaproxyNode } from "../parts/haproxy-nodes";
import { HaproxyProxy } from "../parts/haproxy-proxy";
import { buildManagedL3L4 } from "./managed";
import { buildSelfRunL3L4, type SelfRunL3L4 } from "./self-run";
import type { ThreeTierLoadBalancerProps } from "./three-tier-props";

/**
 * The L7 nodes' default idle keep-alive: long enough that a kept-alive client pausing between
 * requests keeps its connection through a change in the routers or the L4 tier.
 */
const THREE_TIER_KEEP_ALIVE_SECONDS = 10;

/**
 * Three tiers, none a single point of failure and each scaling out: L3 routers spread flows over
 * the L4 nodes by BGP and equal-cost multipath; L4 nodes (IPVS, Maglev hashing, no shared state)
 * hash every flow to the same L7 node whichever L4 node it reaches; L7 nodes (HAProxy) balance
 * over the backends. Where hosts cannot peer by BGP with ECMP (AWS), a managed network load
 * balancer across zones stands in for the L3 and L4 tiers.
 *
 * ```ts
 * const web = new BackendPool(platform, "web", { replicas: 4 });
 * new ThreeTierLoadBalancer(platform, "edge", { backends: web, serviceAddresses: ["198.51.100.10"] });
 * ```
 */
export class ThreeTierLoadBalancer extends Construct implements ITrafficPeer {
  /** The L7 nodes' traffic group. */
  public readonly trafficGroup: string;
  public readonly ports: readonly number[];
  /** What clients connect to: the service addresses, or the managed balancer's DNS name. */
  public readonly endpoint: string;
  /** The self-run L3 and L4 tiers; undefined where a managed balancer stands in. */
  public readonly selfRun: SelfRunL3L4 | undefined;
  private readonly platform: IPlatform;
  private readonly l7: IHost[] = [];

  constructor(scope: Construct, id: string, props: ThreeTierLoadBalancerProps) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    const p = this.platform;
    const backends = this.checkBackends(props?.backends);
    this.trafficGroup = `${this.node.path}/L7`;
    this.ports = this.checkPorts(props.ports ?? [80]);
    const l7Count = assertIntegerInRange(this, "l7Nodes", props.l7Nodes ?? 2, 1, 64);
    const segment: ISegment = props.segment ?? p.defaultSegment;
    const spread = props.spread ?? Spread.even();
    const proxy = new HaproxyProxy(
      this,
      this.ports.map((port) => ({ name: `${this.node.id}_${port}`, port, backends })),
      props,
      THREE_TIER_KEEP_ALIVE_SECONDS,
    );
    this.selfRun = p.traits.bgpEcmp ? buildSelfRunL3L4(this, p, props, segment, spread, proxy) : undefined;
    const l7Scope = new Construct(this, "L7");
    const ctx = {
      scope: l7Scope,
      platform: p,
      proxy,
      segment,
      spread,
      trafficGroup: this.trafficGroup,
      hostnamePrefix: `${this.node.id}-l7`,
      startsAfter: () => backends.members.map((m) => m.componentId),
      ...(this.selfRun ? { extras: this.selfRun.l7Extras } : {}),
    };
    for (let i = 0; i < l7Count; i++) this.l7.push(addHaproxyNode(ctx, i));
    proxy.allowTraffic(p, this);
    if (this.selfRun) {
      this.selfRun.attach(this.l7);
      this.endpoint = this.selfRun.serviceAddresses.join(", ");
    } else {
      if (this.ports.length !== 1) {
        invalid(
          this,
          "ports",
          this.ports,
          "give one port: the managed network load balancer gets one listener",
        );
      }
      this.endpoint = buildManagedL3L4(
        this,
        p,
        props,
        proxy,
        this.l7,
        this.ports[0] as number,
        this.trafficGroup,
      );
    }
    this.recordL7(backends, proxy);
  }

  /** The L7 HAProxy hosts. */
  public get l7Nodes(): readonly IHost[] {
    return [...this.l7];
  }

  private checkBackends(given: IBackendPool | undefined): IBackendPool {
    if (typeof given !== "object" || given === null || given.platform === undefined) {
      return invalid(
        this,
        "backends",
        given,
        "give the BackendPool the L7 nodes balance over (`backends: pool`)",
      );
    }
    if (given.platform !== this.platform) {
      invalid(
        this,
        "backends",
        given.node.path,
        `use a backend pool made on this tier's platform (${this.platform.node.path})`,
      );
    }
    return given;
  }

  private checkPorts(ports: readonly number[]): readonly number[] {
    if (!Array.isArray(ports) || ports.length === 0 || ports.length > 16) {
      invalid(this, "ports", ports, "give 1-16 ports");
    }
    for (const port of ports) assertPort(this, "port", port);
    if (new Set(ports).size !== ports.length) invalid(this, "ports", ports, "give each port once");
    return [...ports];
  }

  private recordL7(backends: IBackendPool, proxy: HaproxyProxy): void {
    const predictions: FailurePrediction[] = this.selfRun ? this.selfRun.l7Predictions() : [];
    this.platform.availability.addGroup({
      id: this.trafficGroup,
      role: "l7-load-balancer",
      topology: this.node.path,
      members: this.l7.map((h) => h.node.path),
      minimumHealthy: 1,
      mechanism: this.selfRun
        ? `IPVS health checks on every L4 node (${proxy.healthPort}/ha-health)`
        : "the managed network load balancer's target health checks",
      predictions,
      dependsOn: [backends.redundancyGroupId],
    });
  }
}
