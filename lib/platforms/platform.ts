import { TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { HaReport } from "../analysis/ha-report";
import { invalid } from "../errors";
import type { AvailabilityModel, FailureDomain } from "../model/availability";
import type { HostSpec } from "../model/host-spec";
import type { AddressSegment } from "../model/ipam";

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

/** The target a topology is synthesized for. */
export interface IPlatform extends IConstruct {
  /** "docker" or "aws": for reports only; topologies never branch on it. */
  readonly platformName: string;
  readonly traits: NetworkTraits;
  /** The segment hosts attach to unless told otherwise. */
  readonly segment: AddressSegment;
  /** The interface name a host sees for `segment` (e.g. "eth0"). */
  readonly interfaceName: string;
  /** The stack's availability model; topologies record their components and groups into it. */
  readonly availability: AvailabilityModel;
  /** The failure domain a host of a group gets, spreading the group's members. */
  failureDomainFor(ordinal: number): FailureDomain;
  /** Makes a host. `scope`/`id` place it in the construct tree (its id is `id`). */
  addHost(scope: Construct, id: string, spec: HostSpec): IHost;
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
  public abstract readonly segment: AddressSegment;
  public abstract readonly interfaceName: string;
  public readonly availability: AvailabilityModel;
  private readonly hostnames = new Map<string, string>();

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, PLATFORM_SYMBOL, { value: true });
    TerraformStack.of(this); // platforms live in a stack: fail early otherwise
    this.availability = HaReport.of(this).model;
  }

  public abstract failureDomainFor(ordinal: number): FailureDomain;
  public abstract addHost(scope: Construct, id: string, spec: HostSpec): IHost;

  /** Platforms call this for every host: host names must be unique on a platform. */
  protected claimHostname(where: IConstruct, hostname: string): void {
    const holder = this.hostnames.get(hostname);
    if (holder !== undefined) {
      invalid(where, "host name", hostname, `it is already used by ${holder}; give the topology another id`);
    }
    this.hostnames.set(hostname, where.node.path);
  }
}
