import { TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { HaReport } from "../analysis/ha-report";
import { invalid } from "../errors";
import type { AvailabilityModel, FailureDomain } from "../model/availability";
import { assertName, assertSysctl } from "../model/config-text";
import type { HealthCheck } from "../model/health-check";
import type { HostAttachment, HostFile, HostSpec } from "../model/host-spec";

const PLATFORM_SYMBOL = Symbol.for("cdktf-ha-topologies.Platform");

/** What a platform's network can do, for topologies that must adapt (never branch on type). */
export interface NetworkTraits {
  /** VRRP multicast adverts reach the peers. */
  readonly multicast: boolean;
  /** Gratuitous ARP moves an address between hosts (false in clouds). */
  readonly gratuitousArp: boolean;
}

/** A host the platform made from a HostSpec. */
export interface IHost extends IConstruct {
  readonly hostname: string;
  readonly failureDomain: FailureDomain;
  readonly spec: HostSpec;
  /** The host's address on its segment (fixed when first read, at synthesis). */
  readonly address: string;
}

/** How a floating address moves between nodes. */
export enum FloatingAddressMode {
  /** keepalived adds the address on the new master and announces it by gratuitous ARP (Docker, bare L2). */
  GRATUITOUS_ARP = "gratuitous-arp",
  /**
   * AWS: a secondary private IP re-assigned to the new master's network interface. All nodes sit
   * in one subnet, so in one availability zone.
   */
  SECONDARY_PRIVATE_IP = "secondary-private-ip",
  /**
   * AWS: a /32 route for an address outside the VPC range, pointed at the new master's network
   * interface in every route table clients use. Works across zones.
   */
  ROUTE_TABLE = "route-table",
  /** AWS: an Elastic IP re-associated to the new master (a public entry point). */
  ELASTIC_IP = "elastic-ip",
}

/** What a topology asks of a floating address. */
export interface FloatingAddressRequest {
  /** keepalived's instance name for the address (names the mover script). */
  readonly instance: string;
  /** The address, where the mode takes one. */
  readonly address?: string;
  /** How the address moves. */
  readonly mode: FloatingAddressMode;
}

/** An address keepalived adds on the master. */
export interface FloatingInterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly device: string;
}

/** How a platform realizes one floating address for a group of nodes. */
export interface IFloatingAddressBinding {
  /** The address clients use (may be known only at deploy time, e.g. an Elastic IP). */
  readonly address: string;
  /** All nodes must share one failure domain (one subnet). */
  readonly singleFailureDomain: boolean;
  /** Addresses keepalived adds on the master. */
  interfaceAddresses(): FloatingInterfaceAddress[];
  /** The address HAProxy binds on a node with address `nodeAddress`. */
  bindAddress(nodeAddress: string): string;
  /**
   * Whether moving the address needs a script: the binding then ships it in `nodeFiles` at
   * `moverPath(instance)`, and keepalived runs it on becoming master and on seeing a
   * lower-priority master.
   */
  readonly hasMover: boolean;
  /** Files every node needs (e.g. the script that moves the address). */
  readonly nodeFiles: readonly HostFile[];
  /** Debian packages every node needs for them. */
  readonly nodePackages: readonly string[];
  /** Told once the nodes exist. */
  attach(nodes: readonly IHost[]): void;
  /** One line for the HA report. */
  readonly description: string;
  /**
   * Time the move itself adds after keepalived's election, when it is not immediate (an API
   * call), as an estimate with its basis.
   */
  readonly moveSeconds?: { readonly seconds: number; readonly basis: string };
}

/** Protocols of traffic rules. */
export enum TrafficProtocol {
  TCP = "tcp",
  /** VRRP adverts (IP protocol 112). */
  VRRP = "vrrp",
}

/**
 * Intent: hosts of `toGroup` accept this traffic from `fromGroup` or from the platform's client
 * networks. Platforms with firewalls (AWS security groups) open exactly these flows; a Docker
 * bridge has no firewall between containers.
 */
export interface TrafficRule {
  /** Traffic group (HostSpec.trafficGroup) of the receiving hosts. */
  readonly toGroup: string;
  readonly protocol: TrafficProtocol;
  /** TCP port. */
  readonly port?: number;
  /** Traffic group of the sending hosts. */
  readonly fromGroup?: string;
  /** From the clients the platform allows (listener ports only). */
  readonly fromClients?: boolean;
  readonly description: string;
}

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

/** What a topology asks of a managed load balancer. */
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

/** The target a topology is synthesized for. */
export interface IPlatform extends IConstruct {
  /** "docker" or "aws": for reports only; topologies never branch on it. */
  readonly platformName: string;
  readonly traits: NetworkTraits;
  /** The interface name hosts see for their segment (e.g. "eth0"). */
  readonly interfaceName: string;
  /** The floating-address mode used when a topology names none. */
  readonly defaultFloatingAddressMode: FloatingAddressMode;
  /** The stack's availability model; topologies record their components and groups into it. */
  readonly availability: AvailabilityModel;
  /** The failure domain of the host at `ordinal` (hosts of a group are spread by ordinal). */
  failureDomainFor(ordinal: number): FailureDomain;
  /** Leases an address for a host placed at `ordinal` (its segment follows its failure domain). */
  leaseHostAddress(where: IConstruct, owner: string, ordinal: number): HostAttachment;
  /** Reserves a VRRP virtual router id where the group's adverts travel, or gives a free one. */
  reserveRouterId(where: IConstruct, owner: string, id?: number): number;
  /** Sets up a floating address; throws a ValidationError for a mode the platform lacks. */
  addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding;
  /** Makes a host. `scope`/`id` place it in the construct tree (its id is `id`). */
  addHost(scope: Construct, id: string, spec: HostSpec): IHost;
  /** Allows one flow of traffic (see TrafficRule). */
  allowTraffic(scope: Construct, rule: TrafficRule): void;
  /** Makes a cloud-managed load balancer; throws a ValidationError where the platform has none. */
  addManagedLoadBalancer(scope: Construct, request: ManagedLoadBalancerRequest): ManagedLoadBalancerBinding;
}

/** Base class of the platforms' hosts: what every host knows and checks, whatever it runs on. */
export abstract class PlatformHost extends Construct implements IHost {
  public readonly hostname: string;
  public readonly failureDomain: FailureDomain;
  public readonly spec: HostSpec;

  protected constructor(scope: Construct, id: string, platform: IPlatform, spec: HostSpec) {
    super(scope, id);
    this.hostname = spec.hostname;
    this.spec = spec;
    this.failureDomain = platform.failureDomainFor(spec.ordinal);
    for (const [key, value] of Object.entries(spec.sysctls)) assertSysctl(this, key, value);
    spec.software.validate(this);
  }

  public get address(): string {
    return this.spec.attachment.lease.address;
  }
}

/** Base class of the platforms. */
export abstract class Platform extends Construct implements IPlatform {
  /**
   * The platform that `scope` was created under, found by walking up the construct tree (as
   * `TerraformStack.of` finds the stack).
   */
  public static of(scope: IConstruct): IPlatform {
    for (const s of [...scope.node.scopes].reverse()) {
      if (Platform.isPlatform(s)) return s;
    }
    return invalid(
      scope,
      "scope",
      scope.node.path,
      "create topologies under a platform, e.g. `new VipPair(new DockerPlatform(stack, 'local'), 'edge', {...})`",
    );
  }

  public static isPlatform(x: unknown): x is IPlatform {
    return typeof x === "object" && x !== null && PLATFORM_SYMBOL in x;
  }

  public abstract readonly platformName: string;
  public abstract readonly traits: NetworkTraits;
  public abstract readonly interfaceName: string;
  public abstract readonly defaultFloatingAddressMode: FloatingAddressMode;
  public readonly availability: AvailabilityModel;
  private readonly hostnames = new Map<string, string>();

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, PLATFORM_SYMBOL, { value: true });
    TerraformStack.of(this); // platforms live in a stack: fail early otherwise
    this.availability = HaReport.of(this).model;
  }

  public abstract failureDomainFor(ordinal: number): FailureDomain;
  public abstract leaseHostAddress(where: IConstruct, owner: string, ordinal: number): HostAttachment;
  public abstract reserveRouterId(where: IConstruct, owner: string, id?: number): number;
  public abstract addFloatingAddress(
    scope: Construct,
    request: FloatingAddressRequest,
  ): IFloatingAddressBinding;
  /** Makes the platform's host for `spec` (addHost registers it). */
  protected abstract createHost(scope: Construct, id: string, spec: HostSpec): IHost;
  public abstract allowTraffic(scope: Construct, rule: TrafficRule): void;
  public abstract addManagedLoadBalancer(
    scope: Construct,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding;

  public addHost(scope: Construct, id: string, spec: HostSpec): IHost {
    const host = this.createHost(scope, id, spec);
    this.claimHostname(host, spec.hostname);
    this.availability.addComponent({
      id: host.node.path,
      hostname: spec.hostname,
      role: spec.role,
      topology: scope.node.path,
      failureDomain: host.failureDomain.id,
      address: () => spec.attachment.lease.address,
    });
    return host;
  }

  /** Host names must be unique on a platform, and fit DNS labels. */
  private claimHostname(where: IConstruct, hostname: string): void {
    assertName(where, "host name (from the construct ids)", hostname);
    const holder = this.hostnames.get(hostname);
    if (holder !== undefined) {
      invalid(where, "host name", hostname, `it is already used by ${holder}; give the topology another id`);
    }
    this.hostnames.set(hostname, where.node.path);
  }
}
