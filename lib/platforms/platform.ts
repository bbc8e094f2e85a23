import { TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { HaReport } from "../analysis/ha-report";
import { type ErrorLocation, invalid } from "../errors";
import type { AvailabilityModel, FailureDomain } from "../model/availability";
import { assertConstructId, assertName } from "../model/config-text";
import { assertFileMode, type HostAttachment, type HostSpec } from "../model/host-spec";
import { type IdPoolSpec, IdPools } from "../model/id-pool";
import type { FloatingAddressRequest, IFloatingAddressBinding } from "./floating-address";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "./health-checked-name";
import type { IHost } from "./host";
import type { ManagedDatabaseBinding, ManagedDatabaseRequest } from "./managed-database";
import type { ManagedLoadBalancerBinding, ManagedLoadBalancerRequest } from "./managed-load-balancer";
import type { ISecret, SecretOptions } from "./secret";
import type { ISegment, SegmentOptions } from "./segment";
import type { TrafficRule } from "./traffic";
import type { PlatformTraits } from "./traits";

const PLATFORM_SYMBOL = Symbol.for("cdktf-ha-topologies.Platform");

/**
 * The target a topology is synthesized for, as the capabilities a topology may ask for. A
 * topology asks for a capability and tests `traits`; it never branches on the platform's type.
 */
export interface IPlatform extends IConstruct {
  /** "docker" or "aws": for reports only. */
  readonly platformName: string;
  readonly traits: PlatformTraits;
  /** The stack's availability model; topologies record their components and groups into it. */
  readonly availability: AvailabilityModel;
  /** What can fail together (Docker hosts, AWS zones), in placement order. */
  readonly failureDomains: readonly FailureDomain[];
  /** The segment hosts attach to unless a topology names another. */
  readonly defaultSegment: ISegment;
  /** Adds another network segment (e.g. a tier's own network). */
  addSegment(id: string, options?: SegmentOptions): ISegment;
  /**
   * Leases an address on `segment` for a host in `domain`; `position` is the attachment's index
   * on its host (0 for the primary), which names its interface.
   */
  attachHost(
    where: IConstruct,
    owner: string,
    segment: ISegment,
    domain: FailureDomain,
    position: number,
  ): HostAttachment;
  /** Reserves an id unique on the whole platform (e.g. BGP AS numbers), or gives out a free one. */
  reserveId(where: ErrorLocation, pool: IdPoolSpec, owner: string, id?: number): number;
  /** Makes a host. `scope`/`id` place it in the construct tree (its id is `id`). */
  addHost(scope: Construct, id: string, spec: HostSpec): IHost;
  /** Allows one flow of traffic (see TrafficRule). */
  allowTraffic(scope: Construct, rule: TrafficRule): void;
  /**
   * Makes a secret under `scope`/`id`, generated at deploy time (a `random_password` on Docker,
   * a Secrets Manager secret on AWS): letters and digits, `options.length` long. Hosts receive
   * it as a file through `HostSpec.secretFiles`; its value is never in the synthesized JSON.
   */
  addSecret(scope: Construct, id: string, options?: SecretOptions): ISecret;
  /** Sets up a floating address in one of `traits.floatingAddressModes`. */
  addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding;
  /**
   * Makes a cloud-managed load balancer of one of `traits.managedLoadBalancers` under
   * `scope`/`id`.
   */
  addManagedLoadBalancer(
    scope: Construct,
    id: string,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding;
  /** Makes a cloud-managed PostgreSQL of one of `traits.managedDatabases` under `scope`/`id`. */
  addManagedDatabase(scope: Construct, id: string, request: ManagedDatabaseRequest): ManagedDatabaseBinding;
  /**
   * Publishes a DNS name that answers with the request's healthy members (PowerDNS LUA records
   * on Docker, Route 53 health checks and multivalue records on AWS), under `scope`/`id`.
   */
  addHealthCheckedName(
    scope: Construct,
    id: string,
    request: HealthCheckedNameRequest,
  ): HealthCheckedNameBinding;
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
  public abstract readonly traits: PlatformTraits;
  public abstract readonly failureDomains: readonly FailureDomain[];
  public abstract readonly defaultSegment: ISegment;
  public readonly availability: AvailabilityModel;
  private readonly hostnames = new Map<string, string>();
  private idPools?: IdPools;

  protected constructor(scope: Construct, id: string) {
    super(scope, assertConstructId(scope, id));
    Object.defineProperty(this, PLATFORM_SYMBOL, { value: true });
    // Platforms live in a stack: fail early, and with a ValidationError, otherwise.
    if (!this.node.scopes.some((s) => TerraformStack.isStack(s))) {
      invalid(this, "scope", scope.node.path || "the app", "create the platform inside a TerraformStack");
    }
    this.availability = HaReport.of(this).model;
  }

  /**
   * The platform's name prefix, claimed in its stack. Two platforms of one kind name their
   * resources (containers, networks, IAM roles, security groups) `<namePrefix>-…`, so each needs
   * its own: the default is the stack's name, or `<stack>-<platform id>` when another platform
   * of the kind has that; a given prefix another platform has is refused.
   */
  protected claimNamePrefix(given: string | undefined): string {
    const stack = TerraformStack.of(this);
    const holder = (prefix: string) =>
      stack.node
        .findAll()
        .find(
          (c): c is Platform =>
            c !== this &&
            c instanceof Platform &&
            c.platformName === this.platformName &&
            (c as { namePrefix?: string }).namePrefix === prefix,
        );
    const prefix = given ?? (holder(stack.node.id) ? `${stack.node.id}-${this.node.id}` : stack.node.id);
    assertName(this, "namePrefix", prefix);
    const other = holder(prefix);
    if (other) {
      invalid(
        this,
        "namePrefix",
        prefix,
        `${other.node.path} in this stack already uses it: give each ${this.platformName} platform of a stack its own namePrefix`,
      );
    }
    return prefix;
  }

  public abstract addSegment(id: string, options?: SegmentOptions): ISegment;
  public abstract attachHost(
    where: IConstruct,
    owner: string,
    segment: ISegment,
    domain: FailureDomain,
    position: number,
  ): HostAttachment;
  public abstract addFloatingAddress(
    scope: Construct,
    request: FloatingAddressRequest,
  ): IFloatingAddressBinding;
  /** Makes the platform's host for `spec` (addHost registers it). */
  protected abstract createHost(scope: Construct, id: string, spec: HostSpec): IHost;
  public abstract allowTraffic(scope: Construct, rule: TrafficRule): void;
  public abstract addSecret(scope: Construct, id: string, options?: SecretOptions): ISecret;
  public abstract addManagedLoadBalancer(
    scope: Construct,
    id: string,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding;
  public abstract addManagedDatabase(
    scope: Construct,
    id: string,
    request: ManagedDatabaseRequest,
  ): ManagedDatabaseBinding;
  public abstract addHealthCheckedName(
    scope: Construct,
    id: string,
    request: HealthCheckedNameRequest,
  ): HealthCheckedNameBinding;

  public reserveId(where: ErrorLocation, pool: IdPoolSpec, owner: string, id?: number): number {
    this.idPools ??= new IdPools(`platform ${this.node.path}`);
    return this.idPools.reserve(where, pool, owner, id);
  }

  public addHost(scope: Construct, id: string, spec: HostSpec): IHost {
    if (!this.failureDomains.some((d) => d.id === spec.failureDomain.id)) {
      invalid(
        scope,
        "failure domain",
        spec.failureDomain.id,
        `place hosts in a failure domain of ${this.node.path}: ${this.failureDomains.map((d) => d.id).join(", ")}`,
      );
    }
    for (const f of spec.files) if (f.mode !== undefined) assertFileMode(scope, f.path, f.mode);
    const host = this.createHost(scope, id, spec);
    this.claimHostname(host, spec.hostname);
    this.availability.addComponent({
      id: host.node.path,
      hostname: spec.hostname,
      role: spec.role,
      topology: scope.node.path,
      failureDomain: host.failureDomain.id,
      address: () => host.address,
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
