import { Construct, type IConstruct } from "constructs";
import { invalid } from "../errors";
import type { FailurePrediction } from "../model/availability";
import { assertCommand, assertConstructId, assertIntegerInRange, assertPort } from "../model/config-text";
import { HealthCheckKind } from "../model/health-check";
import { Capability, type HostSpec, Software } from "../model/host-spec";
import {
  type FloatingAddressMode,
  type IFloatingAddressBinding,
  type IHost,
  type IPlatform,
  type ManagedLoadBalancerBinding,
  ManagedLoadBalancerKind,
  Platform,
  TrafficProtocol,
} from "../platforms/platform";
import { renderHaproxyCfg } from "../render/haproxy";
import { type KeepalivedInstance, renderKeepalivedConf } from "../render/keepalived";
import { generatedHeader, lines } from "../render/text";
import { moverPath } from "../render/vip-mover";
import type { IBackendPool } from "./backend-pool";
import { Balance, ProxyMode, type Stickiness } from "./load-balancing";

/** VRRP protocol version. */
export enum VrrpVersion {
  /** RFC 3768: whole-second advert intervals. */
  V2 = 2,
  /** RFC 5798: advert intervals in centiseconds, so sub-second failover. */
  V3 = 3,
}

/** Commands keepalived runs on state changes, each an argument vector. */
export interface VrrpNotifyCommands {
  /** @default - none */
  readonly master?: string[];
  /** @default - none */
  readonly backup?: string[];
  /** @default - none */
  readonly fault?: string[];
  /** @default - none */
  readonly stop?: string[];
}

/** Options of one floating (virtual) address. */
export interface FloatingAddressOptions {
  /**
   * The address. On Docker and with `SECONDARY_PRIVATE_IP` it must lie in the nodes' segment and
   * not be used by a host or the gateway; with `ROUTE_TABLE` it must lie outside the VPC range.
   * @default - a free address of the segment (Docker, secondary IP); required for `ROUTE_TABLE`;
   * allocated by the cloud for `ELASTIC_IP`
   */
  readonly address?: string;
  /**
   * VRRP virtual router id; unique per segment.
   * @default - the lowest id from 51 up that is free on the segment
   */
  readonly virtualRouterId?: number;
  /**
   * Index of the node that holds this address while it is healthy.
   * @default - addresses are spread over the nodes in turn (the first on node 0, the second on
   * node 1, ...) so that with several addresses every node carries traffic
   */
  readonly preferredNode?: number;
}

/** An address that moves between the nodes of a VIP pair. */
export interface IFloatingAddress extends IConstruct {
  /** The address (fixed at synthesis; a deploy-time token for an Elastic IP). */
  readonly address: string;
  readonly virtualRouterId: number;
  readonly preferredNode: number;
}

/** One virtual address of a VipPair, with its own VRRP instance. */
export class FloatingAddress extends Construct implements IFloatingAddress {
  public readonly virtualRouterId: number;
  public readonly preferredNode: number;
  /** How the platform moves this address. */
  public readonly binding: IFloatingAddressBinding;

  /** @internal */
  constructor(
    scope: VipPair,
    id: string,
    platform: IPlatform,
    options: FloatingAddressOptions,
    defaultPreferred: number,
    mode: FloatingAddressMode,
  ) {
    super(scope, id);
    this.virtualRouterId = platform.reserveRouterId(this, this.node.path, options.virtualRouterId);
    this.binding = platform.addFloatingAddress(this, {
      address: options.address,
      mode,
      instance: instanceName(this.virtualRouterId),
    });
    this.preferredNode = assertIntegerInRange(
      this,
      "preferredNode",
      options.preferredNode ?? defaultPreferred,
      0,
      scope.nodeCount - 1,
    );
  }

  public get address(): string {
    return this.binding.address;
  }
}

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

/** Properties of a VipPair. */
export interface VipPairProps {
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
  /** Where the load balancers send traffic. */
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
   * Proxy mode.
   * @default - HTTP when the backends' health check is HTTP, TCP otherwise
   */
  readonly mode?: ProxyMode;
  /**
   * Load-balancing algorithm.
   * @default Balance.roundRobin() - even spread for short, uniform requests
   */
  readonly balance?: Balance;
  /**
   * Keep a client on one backend.
   * @default - none: any backend may serve any request
   */
  readonly stickiness?: Stickiness;
  /**
   * VRRP version.
   * @default VrrpVersion.V3 - allows sub-second advert intervals
   */
  readonly vrrpVersion?: VrrpVersion;
  /**
   * Interval between VRRP adverts of the master. A backup takes over after 3 missed adverts
   * plus a skew of (256 − priority)/256 adverts.
   * @default 200 - node-loss failover in about 0.72 s (3 × 200 ms + 122 ms skew at priority 100),
   * well under a second, while 5 adverts a second cost nothing on a LAN. VRRPv2 needs whole seconds.
   */
  readonly advertIntervalMs?: number;
  /**
   * VRRP priority of each node (1-254, all different); the highest holds the VIP.
   * @default - 150 for the first node, then 100, 90, 80, ...: the gap to 150 leaves room for
   * weighted track scripts, and distinct values make the election deterministic
   */
  readonly priorities?: number[];
  /**
   * Whether a higher-priority node takes the VIP back when it returns. false renders
   * `nopreempt` (every node then starts as BACKUP): the VIP stays where it is until that node fails.
   * @default true - the preferred node carries traffic whenever it is healthy
   */
  readonly preempt?: boolean;
  /**
   * Seconds a returning higher-priority node waits before it takes the VIP back.
   * @default 10 - a restarted node first passes its own backend checks (2 × 1 s) and settles;
   * a flapping node does not drag the VIP back and forth
   */
  readonly preemptDelaySeconds?: number;
  /**
   * Send VRRP adverts by unicast to the peers instead of multicast.
   * @default - false where the network carries multicast (Docker), true where it does not (clouds)
   */
  readonly unicast?: boolean;
  /**
   * VRRP virtual router id of the main VIP; unique per segment.
   * @default - the lowest id from 51 up that is free on the segment
   */
  readonly virtualRouterId?: number;
  /**
   * Commands keepalived runs on state changes, in addition to the built-in state log.
   * @default - none
   */
  readonly notify?: VrrpNotifyCommands;
  /**
   * Loopback port of the per-node health endpoint keepalived tracks (HAProxy `monitor-uri`).
   * @default 8404
   */
  readonly healthPort?: number;
  /**
   * Loopback port of the HAProxy statistics page.
   * @default 8405
   */
  readonly statsPort?: number;
  /**
   * Concurrent client connections per node.
   * @default 4096
   */
  readonly maxConnections?: number;
  /**
   * Connection attempts per request before HAProxy gives up; with `option redispatch` the last
   * attempts go to another backend.
   * @default 3 - a request to a backend that just died is retried on a healthy one
   */
  readonly retries?: number;
  /**
   * Consecutive connection errors seen on live traffic (`observe layer4`) that mark a backend down
   * before its active check does.
   * @default 3 - a dead backend leaves the rotation after 3 failed connections, not after 2 s of checks
   */
  readonly passiveErrorLimit?: number;
}

const HEALTH_URI = "/ha-health";
const STATS_URI = "/stats";
const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
const NOTIFY_SCRIPT = "/etc/keepalived/ha-notify.sh";
const TRACK_SCRIPT = "chk_haproxy";

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
export class VipPair extends Construct {
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
  private readonly platform: IPlatform;
  private readonly props: VipPairProps;
  private readonly addresses: FloatingAddress[] = [];
  private readonly madeNodes: IHost[] = [];
  private readonly priorities: number[];
  private readonly advertIntervalMs: number;
  private readonly vrrpVersion: VrrpVersion;
  private readonly preemptDelaySeconds: number;
  private readonly unicast: boolean;
  private readonly healthPort: number;
  private readonly statsPort: number;
  private readonly balance: Balance;

  constructor(scope: Construct, id: string, props: VipPairProps) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    this.props = props;
    const p = this.platform;

    this.nodeCount = assertIntegerInRange(this, "nodeCount", props.nodeCount ?? 2, 2, 10);
    this.listenerPort = assertPort(this, "listenerPort", props.listenerPort ?? 80);
    this.healthPort = assertPort(this, "healthPort", props.healthPort ?? 8404);
    this.statsPort = assertPort(this, "statsPort", props.statsPort ?? 8405);
    const ports = [this.listenerPort, this.healthPort, this.statsPort];
    if (new Set(ports).size !== ports.length) {
      invalid(this, "ports (listener, health, stats)", ports, "use three different ports");
    }
    assertIntegerInRange(this, "maxConnections", props.maxConnections ?? 4096, 1, 1_000_000);
    assertIntegerInRange(this, "retries", props.retries ?? 3, 0, 10);
    assertIntegerInRange(this, "passiveErrorLimit", props.passiveErrorLimit ?? 3, 1, 100);

    this.vrrpVersion = props.vrrpVersion ?? VrrpVersion.V3;
    if (this.vrrpVersion !== VrrpVersion.V2 && this.vrrpVersion !== VrrpVersion.V3) {
      invalid(this, "vrrpVersion", props.vrrpVersion, "use VrrpVersion.V2 or VrrpVersion.V3");
    }
    this.advertIntervalMs = props.advertIntervalMs ?? (this.vrrpVersion === VrrpVersion.V2 ? 1000 : 200);
    if (this.vrrpVersion === VrrpVersion.V2) {
      if (
        !Number.isInteger(this.advertIntervalMs) ||
        this.advertIntervalMs % 1000 !== 0 ||
        this.advertIntervalMs < 1000 ||
        this.advertIntervalMs > 255_000
      ) {
        invalid(
          this,
          "advertIntervalMs",
          this.advertIntervalMs,
          "VRRPv2 adverts are whole seconds: use 1000 to 255000 in steps of 1000, or VrrpVersion.V3 for sub-second intervals",
        );
      }
    } else if (
      !Number.isInteger(this.advertIntervalMs) ||
      this.advertIntervalMs % 10 !== 0 ||
      this.advertIntervalMs < 10 ||
      this.advertIntervalMs > 40_950
    ) {
      invalid(
        this,
        "advertIntervalMs",
        this.advertIntervalMs,
        "VRRPv3 adverts are in centiseconds: use 10 to 40950 in steps of 10",
      );
    }

    this.priorities = props.priorities ? [...props.priorities] : defaultPriorities(this.nodeCount);
    if (this.priorities.length !== this.nodeCount) {
      invalid(this, "priorities", props.priorities, `give exactly one priority per node (${this.nodeCount})`);
    }
    for (const prio of this.priorities) assertIntegerInRange(this, "priority", prio, 1, 254);
    if (new Set(this.priorities).size !== this.priorities.length) {
      invalid(
        this,
        "priorities",
        props.priorities,
        "use different priorities: equal priorities make the election depend on addresses",
      );
    }
    this.preemptDelaySeconds = assertIntegerInRange(
      this,
      "preemptDelaySeconds",
      props.preemptDelaySeconds ?? 10,
      0,
      1000,
    );
    if (props.unicast === false && !p.traits.multicast) {
      invalid(
        this,
        "unicast",
        false,
        `the ${p.platformName} platform carries no multicast: leave unicast unset or true`,
      );
    }
    this.unicast = props.unicast ?? !p.traits.multicast;
    for (const [state, command] of Object.entries(props.notify ?? {})) {
      if (command !== undefined) assertCommand(this, `notify.${state}`, command);
    }

    this.mode =
      props.mode ??
      (props.backends.healthCheck.kind === HealthCheckKind.HTTP ? ProxyMode.HTTP : ProxyMode.TCP);
    if (this.mode !== ProxyMode.HTTP && this.mode !== ProxyMode.TCP)
      invalid(this, "mode", props.mode, "use ProxyMode.HTTP or ProxyMode.TCP");
    this.balance = props.balance ?? Balance.roundRobin();
    this.balance._validate(this.node.path);
    if (this.balance.httpOnly && this.mode !== ProxyMode.HTTP) {
      invalid(this, "balance", this.balance.algorithm, "header hashing needs mode ProxyMode.HTTP");
    }
    if (props.stickiness) {
      props.stickiness._validate(this.node.path);
      if (this.mode !== ProxyMode.HTTP)
        invalid(
          this,
          "stickiness",
          props.stickiness.cookieName,
          "cookie stickiness needs mode ProxyMode.HTTP",
        );
    }

    this.addressMode = props.addressMode ?? p.defaultFloatingAddressMode;
    this.implementation = props.implementation ?? LoadBalancerImplementation.selfManaged();
    this.node.addValidation({
      validate: () =>
        this.props.backends.members.length === 0
          ? [`${this.node.path}: the backend pool ${this.props.backends.node.path} has no members`]
          : [],
    });
    const managed = this.implementation.managedKind;
    if (managed !== undefined) {
      const nodeProps = (
        [
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
        ] as const
      ).filter((k) => props[k] !== undefined);
      if (nodeProps.length) {
        invalid(
          this,
          "props",
          nodeProps,
          "a managed load balancer has no VRRP nodes or HAProxy: leave these unset",
        );
      }
      const binding = p.addManagedLoadBalancer(this, {
        kind: managed,
        listenerPort: this.listenerPort,
        targets: () => props.backends.members.map((m) => ({ address: m.address, port: m.port })),
        targetPort: props.backends.port,
        healthCheck: props.backends.healthCheck,
        trafficGroup: this.node.path,
        targetTrafficGroup: props.backends.trafficGroup,
        ...(props.stickiness ? { stickyCookie: props.stickiness.cookieName } : {}),
      });
      this.virtualIp = undefined;
      this.endpoint = binding.dnsName;
      this.recordManagedAvailability(managed, binding);
      return;
    }
    // The VIP first: it must not be given to a host by the lazy allocation.
    this.virtualIp = this.addVirtualIp("Vip", {
      address: props.virtualIp,
      virtualRouterId: props.virtualRouterId,
      preferredNode: 0,
    });

    for (let i = 0; i < this.nodeCount; i++) this.madeNodes.push(this.addNode(i));
    this.allowTraffic();
    for (const vip of this.addresses) vip.binding.attach(this.madeNodes);
    this.endpoint = this.virtualIp.address;
    this.recordAvailability();
  }

  /**
   * Adds another floating address with its own VRRP instance, served by the same HAProxy
   * frontends. Returns the address construct.
   */
  public addVirtualIp(id: string, options: FloatingAddressOptions): IFloatingAddress {
    if (this.implementation.managedKind !== undefined) {
      invalid(
        this,
        "addVirtualIp",
        id,
        "a managed load balancer has no virtual IPs; it answers on its DNS name (endpoint)",
      );
    }
    const vip = new FloatingAddress(
      this,
      id,
      this.platform,
      options,
      this.addresses.length % this.nodeCount,
      this.addressMode,
    );
    if (this.madeNodes.length > 0) vip.binding.attach(this.madeNodes);
    this.addresses.push(vip);
    return vip;
  }

  /** The load-balancer hosts. */
  public get nodes(): readonly IHost[] {
    return [...this.madeNodes];
  }

  /** All floating addresses of the pair. */
  public get virtualIps(): readonly IFloatingAddress[] {
    return [...this.addresses];
  }

  private addNode(index: number): IHost {
    const hostname = `${this.node.id}-lb-${index}`.toLowerCase();
    // A mode that binds the address to one subnet keeps every node in one failure domain.
    const placement = this.addresses.some((a) => a.binding.singleFailureDomain) ? 0 : index;
    const attachment = this.platform.leaseHostAddress(this, `${this.node.path}/Node${index}`, placement);
    const lease = attachment.lease;
    const pair = this;
    const curl = [
      "/usr/bin/curl",
      "--fail",
      "--silent",
      "--output",
      "/dev/null",
      "--max-time",
      "1",
      `http://127.0.0.1:${this.healthPort}${HEALTH_URI}`,
    ];
    const spec: HostSpec = {
      hostname,
      role: "load-balancer",
      ordinal: placement,
      software: Software.debianPackages("ha-lb", [
        "keepalived",
        "haproxy",
        "curl",
        "ca-certificates",
        "iproute2",
        ...this.addresses.flatMap((a) => a.binding.nodePackages),
      ]),
      // A getter: the address-moving files of VIPs added later are read at synthesis.
      get files() {
        return [
          { path: KEEPALIVED_CONF, content: () => pair.keepalivedConf(index, lease.address, curl) },
          { path: HAPROXY_CFG, content: () => pair.haproxyCfg(hostname, lease.address) },
          { path: NOTIFY_SCRIPT, content: renderNotifyScript(), executable: true },
          ...pair.addresses.flatMap((a) => a.binding.nodeFiles),
        ];
      },
      processes: [
        { name: "haproxy", command: ["/usr/sbin/haproxy", "-W", "-db", "-f", HAPROXY_CFG] },
        {
          name: "keepalived",
          command: [
            "/usr/sbin/keepalived",
            "--dont-fork",
            "--log-console",
            "--log-detail",
            "--vrrp",
            `--use-file=${KEEPALIVED_CONF}`,
            "--pid=/run/ha/keepalived-main.pid",
            "--vrrp_pid=/run/ha/keepalived-vrrp.pid",
          ],
        },
      ],
      capabilities: [Capability.NET_ADMIN, Capability.NET_RAW],
      // HAProxy binds the VIPs on every node, also while another node holds them.
      sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
      attachment,
      trafficGroup: this.node.path,
      listenerPorts: [this.listenerPort],
      healthCommand: { command: curl, intervalSeconds: 2, timeoutSeconds: 1, retries: 3 },
    };
    return this.platform.addHost(this, `Node${index}`, spec);
  }

  /** The flows the pair needs; platforms with firewalls open exactly these. */
  private allowTraffic(): void {
    const group = this.node.path;
    const pool = this.props.backends;
    const p = this.platform;
    p.allowTraffic(this, {
      toGroup: group,
      protocol: TrafficProtocol.TCP,
      port: this.listenerPort,
      fromClients: true,
      description: "clients to the listener",
    });
    p.allowTraffic(this, {
      toGroup: group,
      protocol: TrafficProtocol.VRRP,
      fromGroup: group,
      description: "VRRP adverts between the nodes",
    });
    const ports = new Set([
      pool.port,
      ...(pool.healthCheck.port !== undefined ? [pool.healthCheck.port] : []),
    ]);
    for (const port of ports) {
      p.allowTraffic(this, {
        toGroup: pool.trafficGroup,
        protocol: TrafficProtocol.TCP,
        port,
        fromGroup: group,
        description: `load balancers to the backends (${port === pool.port ? "service" : "health check"})`,
      });
    }
  }

  private keepalivedConf(index: number, ownAddress: string, curl: string[]): string {
    const p = this.platform;
    const peers = this.madeNodes.filter((_, i) => i !== index).map((n) => n.address);
    const instances: KeepalivedInstance[] = this.addresses.map((vip) => {
      // The preferred node gets the top priority, the others follow in ring order.
      const rank = (index - vip.preferredNode + this.nodeCount) % this.nodeCount;
      const sorted = [...this.priorities].sort((a, b) => b - a);
      const priority = sorted[rank] as number;
      const preempt = this.props.preempt ?? true;
      return {
        name: instanceName(vip.virtualRouterId),
        // Every node starts as BACKUP: the highest priority wins the first election after one
        // master-down interval, and a restarted node honours preempt_delay (keepalived ignores it
        // on an instance that starts as MASTER).
        initialState: "BACKUP",
        interface: p.interfaceName,
        virtualRouterId: vip.virtualRouterId,
        priority,
        advertIntervalMs: this.advertIntervalMs,
        noPreempt: !preempt,
        preemptDelaySeconds: this.preemptDelaySeconds,
        virtualAddresses: vip.binding.interfaceAddresses(),
        ...(this.unicast ? { unicast: { sourceIp: ownAddress, peers } } : {}),
        trackScripts: [TRACK_SCRIPT],
        notify: {
          ...(this.props.notify?.master ? { master: this.props.notify.master } : {}),
          ...(this.props.notify?.backup ? { backup: this.props.notify.backup } : {}),
          ...(this.props.notify?.fault ? { fault: this.props.notify.fault } : {}),
          ...(this.props.notify?.stop ? { stop: this.props.notify.stop } : {}),
          generic: [NOTIFY_SCRIPT],
          ...(vip.binding.hasMover
            ? { masterRxLowerPriority: [moverPath(instanceName(vip.virtualRouterId)), "rx-lower-priority"] }
            : {}),
        },
        garp: { masterDelaySeconds: 1, masterRepeat: 3, masterRefreshSeconds: 60 },
      };
    });
    return renderKeepalivedConf({
      routerId: this.madeNodes[index]?.hostname ?? `${this.node.id}-lb-${index}`,
      vrrpVersion: this.vrrpVersion,
      trackScripts: [
        {
          name: TRACK_SCRIPT,
          command: curl,
          intervalSeconds: 1,
          timeoutSeconds: 1,
          rise: 2,
          fall: 2,
          weight: 0,
        },
      ],
      instances,
    });
  }

  private haproxyCfg(nodeName: string, nodeAddress: string): string {
    const pool = this.props.backends;
    const check = pool.healthCheck;
    const backendName = `be_${pool.node.id}`.replace(/[^A-Za-z0-9_]/g, "_");
    return renderHaproxyCfg({
      nodeName,
      mode: this.mode,
      maxConnections: this.props.maxConnections ?? 4096,
      timeouts: { connectMs: 2000, clientMs: 30_000, serverMs: 30_000 },
      frontends: [
        {
          name: `fe_${this.node.id}`.replace(/[^A-Za-z0-9_]/g, "_"),
          binds: [...new Set(this.addresses.map((a) => a.binding.bindAddress(nodeAddress)))].map(
            (address) => ({
              address,
              port: this.listenerPort,
            }),
          ),
          backend: backendName,
        },
      ],
      backends: [
        {
          name: backendName,
          balance: this.balance.algorithm,
          consistentHash: this.balance.consistent,
          ...(this.props.stickiness ? { stickyCookie: this.props.stickiness.cookieName } : {}),
          servers: pool.members.map((m) => ({ name: m.name, address: m.address, port: m.port })),
          check: {
            kind: check.kind,
            intervalMs: check.intervalMs,
            timeoutMs: check.timeoutMs,
            rise: check.healthyThreshold,
            fall: check.unhealthyThreshold,
            ...(check.port !== undefined ? { port: check.port } : {}),
            ...(check.path !== undefined ? { path: check.path } : {}),
            ...(check.expectedStatus !== undefined ? { expectedStatus: check.expectedStatus } : {}),
            ...(check.command !== undefined ? { command: check.command } : {}),
          },
          passiveErrorLimit: this.props.passiveErrorLimit ?? 3,
          retries: this.props.retries ?? 3,
          retryOn:
            this.mode === ProxyMode.HTTP
              ? ["conn-failure", "empty-response", "response-timeout"]
              : ["conn-failure"],
        },
      ],
      health: { address: "127.0.0.1", port: this.healthPort, uri: HEALTH_URI },
      stats: { address: "127.0.0.1", port: this.statsPort, uri: STATS_URI },
    });
  }

  private recordManagedAvailability(
    kind: ManagedLoadBalancerKind,
    binding: ManagedLoadBalancerBinding,
  ): void {
    const model = this.platform.availability;
    const members = binding.failureDomains.map((d, i) => {
      const id = `${this.node.path}/LoadBalancer/Zone${i}`;
      model.addComponent({
        id,
        hostname: `${this.node.id}-${kind}-lb-${i}`,
        role: "managed-load-balancer",
        topology: this.node.path,
        failureDomain: d.id,
      });
      return id;
    });
    model.notes.push(...binding.notes);
    model.addGroup({
      id: this.node.path,
      role: "load-balancer",
      topology: this.node.path,
      members,
      minimumHealthy: 1,
      mechanism: `cloud-managed ${kind} load balancer, cross-zone (the cloud's own redundancy)`,
      predictions: [],
      dependsOn: [this.props.backends.redundancyGroupId],
    });
    const backendGroupId = this.props.backends.redundancyGroupId;
    if (model.group(backendGroupId))
      model.addPrediction(backendGroupId, {
        fault: "backend-process-death",
        recoverySeconds: binding.targetDetectionSeconds,
        failedRequests:
          "requests sent to the dead target until the load balancer's health check marks it unhealthy",
        basis: `target-group health check: ${binding.targetDetectionSeconds} s (interval × unhealthy threshold)`,
      });
  }

  private recordAvailability(): void {
    const advert = this.advertIntervalMs / 1000;
    const backupPriority = [...this.priorities].sort((a, b) => b - a)[1] as number;
    const skew =
      this.vrrpVersion === VrrpVersion.V3
        ? ((256 - backupPriority) * advert) / 256
        : (256 - backupPriority) / 256;
    const masterDown = 3 * advert + skew;
    const r = (x: number) => Number(x.toFixed(3));
    const trackDetect = 2 * 1 + 1; // fall × interval + timeout of the track script
    const binding = this.addresses[0]?.binding;
    const move = binding?.moveSeconds
      ? { seconds: binding.moveSeconds.seconds, basis: ` + ${binding.moveSeconds.basis}` }
      : { seconds: 0, basis: "" };
    const check = this.props.backends.healthCheck;
    const predictions: FailurePrediction[] = [
      {
        fault: "node-loss",
        recoverySeconds: r(masterDown + move.seconds),
        failedRequests: "connections open on the lost node; new connections fail until the VIP moves",
        basis: `VRRPv${this.vrrpVersion} master-down interval: 3 × advert ${this.advertIntervalMs} ms + skew (256 − ${backupPriority}) / 256 × ${this.vrrpVersion === VrrpVersion.V3 ? `${this.advertIntervalMs} ms` : "1 s"}${move.basis}`,
      },
      {
        fault: "proxy-process-death",
        recoverySeconds: r(trackDetect + skew + move.seconds),
        failedRequests: "connections to the dead proxy; new connections fail until the VIP moves",
        basis: `worst case, a hung proxy: track script fall 2 × interval 1 s + timeout 1 s, then the master enters FAULT and the backup takes over after its skew${move.basis}; a dead proxy refuses at once and fails the checks sooner`,
      },
      {
        fault: "partition-between-nodes",
        recoverySeconds: r(masterDown),
        failedRequests:
          "split brain: VRRP cannot tell a partition from a failure, so after the master-down interval every side holds the VIP until the partition heals; then the highest priority keeps it",
        basis: "VRRP has no quorum; each side promotes itself after the master-down interval",
      },
    ];
    this.platform.availability.addGroup({
      id: this.node.path,
      role: "load-balancer",
      topology: this.node.path,
      members: this.madeNodes.map((n) => n.node.path),
      minimumHealthy: 1,
      mechanism: `${this.unicast ? "vrrp (unicast)" : "vrrp (multicast)"}: ${this.addresses[0]?.binding.description ?? ""}`,
      predictions,
      dependsOn: [this.props.backends.redundancyGroupId],
    });
    const backendGroupId = this.props.backends.redundancyGroupId;
    if (this.platform.availability.group(backendGroupId)?.predictions.length === 0) {
      this.platform.availability.addPrediction(backendGroupId, {
        fault: "backend-process-death",
        recoverySeconds: 0,
        failedRequests:
          "none: a refused connection is retried on another backend (retries + option redispatch)",
        basis: `passive check marks the backend down after ${this.props.passiveErrorLimit ?? 3} errors; active check after ${check.unhealthyThreshold} × ${check.intervalMs} ms`,
      });
    }
  }
}

/** keepalived's name of the VRRP instance of a router id. */
export function instanceName(virtualRouterId: number): string {
  return `VI_${virtualRouterId}`;
}

/** 150, then 100, 90, 80, ... */
export function defaultPriorities(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 150 : 100 - (i - 1) * 10));
}

/**
 * keepalived's generic notify script: logs each transition and records the state in
 * `/run/ha/vrrp-<instance>.state`, where operators and drills can read it.
 * keepalived calls it as `ha-notify.sh TYPE NAME STATE PRIORITY`.
 */
function renderNotifyScript(): string {
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    'type="$1"; name="$2"; state="$3"; priority="$4"',
    'case "$name" in *[!A-Za-z0-9_.-]*|"") exit 0 ;; esac',
    "mkdir -p /run/ha",
    'printf \'%s\\n\' "$state" > "/run/ha/vrrp-$name.state"',
    'echo "ha-notify: $type $name is now $state (priority $priority)" >&2',
    "# Where the platform moves the address through an API, the instance's mover claims it.",
    `mover="${moverPath("")}$name"`,
    'if [ "$state" = MASTER ] && [ -x "$mover" ]; then "$mover" master; fi',
  );
}
