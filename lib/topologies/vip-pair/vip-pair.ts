import { Token } from "cdktf";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertConstructId, assertIntegerInRange, assertPort } from "../../model/config-text";
import type { IEndpoint } from "../../model/endpoint";
import { HealthCheck } from "../../model/health-check";
import { type HostSpec, Software } from "../../model/host-spec";
import type { FloatingAddressMode } from "../../platforms/floating-address";
import type { IHost } from "../../platforms/host";
import { type IPlatform, Platform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import type { ITrafficPeer } from "../../platforms/traffic";
import type { FloatingAddress, FloatingAddressOptions, IFloatingAddress } from "../parts/floating-address";
import { HAPROXY_CFG, HaproxyProxy } from "../parts/haproxy-proxy";
import { ProxyMode } from "../parts/load-balancing";
import { VrrpGroup } from "../parts/vrrp-group";
import { LoadBalancerImplementation } from "./load-balancer-implementation";
import { buildManagedPair } from "./managed";
import { backendDeathBehindProxy, vipPairPredictions } from "./predictions";
import type { VipPairProps } from "./vip-pair-props";

/**
 * Two or more load-balancer nodes that share virtual IPs through keepalived (VRRP), each running
 * HAProxy in front of a backend pool. The VIP follows the healthy node: keepalived tracks the
 * local HAProxy through its health URL and gives the VIP up when HAProxy stops answering.
 *
 * ```ts
 * const web = new BackendPool(platform, "web", { replicas: 3 });
 * new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });
 * ```
 */
export class VipPair extends Construct implements ITrafficPeer {
  public readonly nodeCount: number;
  /** How the VIPs move between the nodes. */
  public readonly addressMode: FloatingAddressMode;
  /** The main floating address; undefined when a managed load balancer serves the pair. */
  public readonly virtualIp: IFloatingAddress | undefined;
  /** What clients connect to: the VIP, or the managed load balancer's DNS name. */
  public readonly endpoint: string;
  /** Self-managed nodes, or a cloud-managed load balancer. */
  public readonly implementation: LoadBalancerImplementation;
  public readonly mode: ProxyMode;
  public readonly listenerPort: number;
  /** The nodes' traffic group (firewall rules). */
  public readonly trafficGroup: string;
  private readonly platform: IPlatform;
  private readonly props: VipPairProps;
  private readonly proxy: HaproxyProxy;
  private readonly vrrp: VrrpGroup | undefined;
  private readonly madeNodes: IHost[] = [];

  constructor(scope: Construct, id: string, props: VipPairProps) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    this.props = props;
    this.trafficGroup = this.node.path;
    const p = this.platform;
    const given = props?.backends as Partial<VipPairProps["backends"]> | undefined;
    if (typeof given !== "object" || given === null || given.platform === undefined) {
      invalid(
        this,
        "backends",
        props?.backends,
        "give the BackendPool the pair balances over (`backends: pool`)",
      );
    }
    if (props.backends.platform !== p) {
      invalid(
        this,
        "backends",
        props.backends.node.path,
        `use a backend pool made on this pair's platform (${p.node.path}); it is on ${props.backends.platform.node.path}`,
      );
    }
    this.nodeCount = assertIntegerInRange(this, "nodeCount", props.nodeCount ?? 2, 2, 10);
    this.listenerPort = assertPort(this, "listenerPort", props.listenerPort ?? 80);
    this.proxy = new HaproxyProxy(
      this,
      [{ name: this.node.id, port: this.listenerPort, backends: props.backends }],
      props,
    );
    this.mode = this.proxy.mode;
    this.implementation = props.implementation ?? LoadBalancerImplementation.selfManaged();
    this.addressMode = props.addressMode ?? (p.traits.floatingAddressModes[0] as FloatingAddressMode);
    this.node.addValidation({
      validate: () =>
        this.props.backends.members.length === 0
          ? [`${this.node.path}: the backend pool ${this.props.backends.node.path} has no members`]
          : [],
    });
    const managed = this.implementation.managedKind;
    if (managed !== undefined) {
      this.vrrp = undefined;
      this.virtualIp = undefined;
      this.endpoint = buildManagedPair(this, p, props, managed, this.listenerPort);
      return;
    }
    if (!p.traits.floatingAddressModes.includes(this.addressMode)) {
      invalid(
        this,
        "addressMode",
        this.addressMode,
        `the ${p.platformName} platform has no ${this.addressMode} mode: use one of ${p.traits.floatingAddressModes.join(", ")}`,
      );
    }
    const segment: ISegment = props.segment ?? p.defaultSegment;
    this.vrrp = new VrrpGroup(this, p, segment, this.nodeCount, props);
    // The VIP first: it must not be given to a host by the lazy allocation.
    this.virtualIp = this.addVirtualIp("Vip", {
      address: props.virtualIp,
      virtualRouterId: props.virtualRouterId,
      preferredNode: 0,
    });
    const poolSegment = props.backends.segment;
    if (poolSegment && poolSegment.segmentId !== segment.segmentId && !p.traits.routesBetweenSegments) {
      invalid(
        this,
        "segment",
        segment.segmentId,
        `the pool ${props.backends.node.path} is on ${poolSegment.segmentId}, and ${p.platformName} segments do not reach each other: put the pair on the pool's segment`,
      );
    }
    for (let i = 0; i < this.nodeCount; i++) this.madeNodes.push(this.addNode(i, this.vrrp, segment));
    this.proxy.allowTraffic(p, this);
    this.vrrp.allowAdverts(this);
    this.vrrp.attach(this.madeNodes);
    this.endpoint = this.virtualIp.address;
    this.recordAvailability(this.vrrp);
  }

  /**
   * Adds another floating address with its own VRRP instance, served by the same HAProxy
   * frontends. Returns the address construct.
   */
  public addVirtualIp(id: string, options: FloatingAddressOptions = {}): IFloatingAddress {
    if (this.vrrp === undefined) {
      return invalid(
        this,
        "addVirtualIp",
        id,
        "a managed load balancer has no virtual IPs; it answers on its DNS name (endpoint)",
      );
    }
    const address = this.vrrp.addAddress(this, assertConstructId(this, id), options, this.addressMode);
    this.recordAddress(address);
    return address;
  }

  /** Records the address for the HA report: mode, listener port, the node holding it while healthy. */
  private recordAddress(address: IFloatingAddress): void {
    const nodes = this.madeNodes;
    const mode = this.addressMode;
    this.platform.availability.addFloatingAddress({
      id: address.node.path,
      topology: this.node.path,
      get address() {
        return Token.isUnresolved(address.address) ? `${mode}: allocated at deploy` : address.address;
      },
      mode,
      listenerPorts: [this.listenerPort],
      // Read at analysis: the nodes are made after the first address.
      get healthyOn() {
        return nodes[address.preferredNode]?.node.path ?? "";
      },
      virtualRouterId: address.virtualRouterId,
    });
  }

  /**
   * The pair's main VIP as a member of a health-checked DNS name, for DNS across several pairs:
   * the listener port, checked through the VIP.
   * @param healthCheck how a DNS checker probes the VIP; the default is an HTTP GET of "/" on the
   * listener in HTTP mode (a pass means a node holds the VIP and a backend answered), a TCP
   * connection to it otherwise
   */
  public asEndpoint(healthCheck?: HealthCheck): IEndpoint {
    const vip = this.virtualIp;
    if (vip === undefined) {
      return invalid(
        this,
        "asEndpoint",
        this.endpoint,
        "a managed load balancer answers on a DNS name, not an address: use the self-managed pair as a DNS member",
      );
    }
    const check =
      healthCheck ?? (this.mode === ProxyMode.HTTP ? HealthCheck.http({ path: "/" }) : HealthCheck.tcp());
    check.validate(this);
    return {
      endpointName: this.node.id.toLowerCase(),
      get address() {
        return vip.address;
      },
      port: this.listenerPort,
      healthCheck: check,
      componentId: this.node.path,
      trafficGroup: this.trafficGroup,
    };
  }

  /** The load-balancer hosts. */
  public get nodes(): readonly IHost[] {
    return [...this.madeNodes];
  }

  /** All floating addresses of the pair. */
  public get virtualIps(): readonly IFloatingAddress[] {
    return this.vrrp ? this.vrrp.addresses : [];
  }

  private addNode(index: number, vrrp: VrrpGroup, segment: ISegment): IHost {
    const hostname = `${this.node.id}-lb-${index}`.toLowerCase();
    const failureDomain = vrrp.spread.domainFor(this, "node", index, this.platform.failureDomains);
    const attachment = this.platform.attachHost(
      this,
      `${this.node.path}/Node${index}`,
      segment,
      failureDomain,
      0,
    );
    const proxy = this.proxy;
    const track = proxy.trackScript;
    const vrrpNode = () => ({
      index,
      routerId: hostname,
      address: attachment.lease.address,
      interfaceName: attachment.interfaceName,
    });
    const bindings = () => (vrrp.addresses as FloatingAddress[]).map((a) => a.binding);
    const spec: HostSpec = {
      hostname,
      role: "load-balancer",
      failureDomain,
      software: Software.debianPackages("ha-lb", [...proxy.packages, ...vrrp.packages]),
      // A getter: the address-moving files of VIPs added later are read at synthesis.
      get files() {
        return [
          vrrp.configFile(vrrpNode, [track], [proxy.exitTrackFile]),
          {
            path: HAPROXY_CFG,
            content: () =>
              proxy.config(
                hostname,
                bindings().map((b) => b.bindAddress(attachment.lease.address)),
              ),
          },
          ...vrrp.supportFiles(vrrpNode),
        ];
      },
      processes: [proxy.process, vrrp.process],
      capabilities: vrrp.capabilities,
      // HAProxy binds the VIPs on every node, also while another node holds them.
      sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
      attachments: [attachment],
      trafficGroup: this.trafficGroup,
      // HAProxy finds its servers up when it starts, instead of reporting none for a while.
      startsAfter: () => this.props.backends.members.map((m) => m.componentId),
      healthCommand: { command: proxy.healthCommand, intervalSeconds: 2, timeoutSeconds: 1, retries: 3 },
    };
    return this.platform.addHost(this, `Node${index}`, spec);
  }

  private recordAvailability(vrrp: VrrpGroup): void {
    const model = this.platform.availability;
    const binding = (vrrp.addresses[0] as FloatingAddress).binding;
    model.addGroup({
      id: this.node.path,
      role: "load-balancer",
      topology: this.node.path,
      members: this.madeNodes.map((n) => n.node.path),
      minimumHealthy: 1,
      mechanism: `${vrrp.unicast ? "vrrp (unicast)" : "vrrp (multicast)"}: ${binding.description}`,
      predictions: vipPairPredictions(vrrp.timing, this.proxy, binding.moveSeconds),
      dependsOn: [this.props.backends.redundancyGroupId],
    });
    const pool = this.props.backends;
    const backendGroup = model.group(pool.redundancyGroupId);
    if (backendGroup && !backendGroup.predictions.some((x) => x.fault === "backend-process-death")) {
      model.addPrediction(pool.redundancyGroupId, backendDeathBehindProxy(this.proxy, pool.healthCheck));
    }
  }
}
