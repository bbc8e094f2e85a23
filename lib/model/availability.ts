/**
 * The availability graph: which platforms a stack uses, which hosts and managed services its
 * topologies made, which of them back each other up, what each topology predicts for each fault
 * (RTO and RPO), and the VRRP instances on each segment. Topologies and platforms record into it
 * through its methods only; `analysis/` reads it.
 */
import { invalid } from "../errors";
import type {
  ComponentRecord,
  FailureDomain,
  FailurePrediction,
  FloatingAddressRecord,
  HealthCheckedNameRecord,
  ManagedComponentRecord,
  PlatformRecord,
  RedundancyGroupRecord,
  VrrpInstanceRecord,
} from "./availability-records";

export * from "./availability-records";

/** A redundancy group as the model keeps it: its own list of predictions. */
interface StoredGroup extends RedundancyGroupRecord {
  readonly predictions: FailurePrediction[];
}

/** A per-stack record of every HA topology's components and groups. */
export class AvailabilityModel {
  /** Notes a platform or topology adds, e.g. "single Docker host". Prefer `addNote`. */
  public readonly notes: string[] = [];
  private readonly componentList: ComponentRecord[] = [];
  private readonly managedList: ManagedComponentRecord[] = [];
  private readonly groupList: StoredGroup[] = [];
  private readonly groupsById = new Map<string, StoredGroup>();
  private readonly domains = new Map<string, FailureDomain>();
  private readonly platformList: PlatformRecord[] = [];
  private readonly domainsOfPlatform = new Map<string, Set<string>>();
  private readonly vrrpList: VrrpInstanceRecord[] = [];
  private readonly floatingList: FloatingAddressRecord[] = [];
  private readonly nameList: HealthCheckedNameRecord[] = [];
  private readonly ids = new Set<string>();

  /** Host components, in the order they were added. */
  public get components(): readonly ComponentRecord[] {
    return this.componentList;
  }

  /** Cloud-managed components (load balancers, databases), in the order they were added. */
  public get managedComponents(): readonly ManagedComponentRecord[] {
    return this.managedList;
  }

  /** Redundancy groups, in the order they were added. */
  public get groups(): readonly RedundancyGroupRecord[] {
    return this.groupList;
  }

  /** Failure domains by id. */
  public get failureDomains(): ReadonlyMap<string, FailureDomain> {
    return this.domains;
  }

  /** The platforms of the stack, in the order they were added. */
  public get platforms(): readonly PlatformRecord[] {
    return this.platformList;
  }

  /** Floating addresses, in the order they were added. */
  public get floatingAddresses(): readonly FloatingAddressRecord[] {
    return this.floatingList;
  }

  /** Health-checked DNS names, in the order they were added. */
  public get healthCheckedNames(): readonly HealthCheckedNameRecord[] {
    return this.nameList;
  }

  /** VRRP instances, in the order they were added. */
  public get vrrpInstances(): readonly VrrpInstanceRecord[] {
    return this.vrrpList;
  }

  /**
   * The platform names of the stack, e.g. "docker", or "aws+docker" when it uses both;
   * "unknown" before any platform is added.
   */
  public get platform(): string {
    const names = [...new Set(this.platformList.map((p) => p.name))].sort();
    return names.length ? names.join("+") : "unknown";
  }

  /**
   * Records a platform of the stack. Failure domains added after it without a `platform` of their
   * own belong to it. Two platforms in one stack each keep their record.
   * @param name the platform's kind, e.g. "docker" or "aws"
   * @param id the platform's construct path
   * @default id - the name
   */
  public addPlatform(name: string, id: string = name): PlatformRecord {
    if (!name) invalid(id || "availability model", "platform name", name, "give a non-empty name");
    if (this.platformList.some((p) => p.id === id)) {
      invalid(id, "platform", id, "record each platform once");
    }
    const record: PlatformRecord = { id, name };
    this.platformList.push(record);
    this.domainsOfPlatform.set(id, new Set());
    return record;
  }

  /**
   * Records a failure domain. It belongs to `domain.platform`, or else to the platform added last.
   * The same domain may be added by several platforms (two Docker platforms on one host).
   */
  public addFailureDomain(domain: FailureDomain): void {
    const owner = domain.platform ?? this.platformList[this.platformList.length - 1]?.id;
    if (owner !== undefined) {
      const set = this.domainsOfPlatform.get(owner);
      if (!set) invalid(domain.id, "failure domain platform", owner, "add the platform first (addPlatform)");
      set.add(domain.id);
    }
    if (!this.domains.has(domain.id)) this.domains.set(domain.id, domain);
  }

  /** Ids of the failure domains a platform has. */
  public failureDomainsOf(platformId: string): readonly string[] {
    return [...(this.domainsOfPlatform.get(platformId) ?? [])].sort();
  }

  /** Ids of the platforms that have the failure domain `domainId`. */
  public platformsOfDomain(domainId: string): readonly string[] {
    return this.platformList.filter((p) => this.domainsOfPlatform.get(p.id)?.has(domainId)).map((p) => p.id);
  }

  /** Records a host. Its id must be unique among components and managed components. */
  public addComponent(component: ComponentRecord): void {
    this.claimId(component.id, "component");
    this.componentList.push(component);
  }

  /** Records a cloud-managed component (a load balancer, a database) with the cloud's figures. */
  public addManagedComponent(component: ManagedComponentRecord): void {
    if (component.failureDomains.length === 0) {
      invalid(component.id, "managed component failureDomains", [], "name at least one failure domain");
    }
    for (const f of component.failover) {
      if (!f.source)
        invalid(component.id, `failover figure ${f.fault} source`, f.source, "cite the cloud's document");
      assertPrediction(component.id, f);
    }
    this.claimId(component.id, "managed component");
    this.managedList.push(component);
  }

  /**
   * Records a redundancy group. `members` is read at analysis, so a list the owner keeps growing
   * (replicas added later) counts. The group's predictions are copied; add more with
   * `addPrediction`.
   */
  public addGroup(group: RedundancyGroupRecord): void {
    if (this.groupsById.has(group.id))
      invalid(group.id, "redundancy group", group.id, "record each group once");
    for (const p of group.predictions) assertPrediction(group.id, p);
    const stored: StoredGroup = { ...group, predictions: [...group.predictions] };
    this.groupList.push(stored);
    this.groupsById.set(group.id, stored);
  }

  /** The redundancy group `id`, if recorded. */
  public group(id: string): RedundancyGroupRecord | undefined {
    return this.groupsById.get(id);
  }

  /**
   * Adds a prediction to a group recorded by someone else (a load balancer predicting what the
   * loss of one of its backends costs). Throws when the group is unknown.
   */
  public addPrediction(groupId: string, prediction: FailurePrediction): void {
    const group = this.groupsById.get(groupId);
    if (!group)
      invalid(groupId, "redundancy group", groupId, "record the group (addGroup) before its predictions");
    assertPrediction(groupId, prediction);
    group.predictions.push(prediction);
  }

  /** Records a VRRP instance, so that the analysis can find virtual router id clashes. */
  public addVrrpInstance(instance: VrrpInstanceRecord): void {
    if (
      !Number.isInteger(instance.virtualRouterId) ||
      instance.virtualRouterId < 1 ||
      instance.virtualRouterId > 255
    ) {
      invalid(instance.owner, "virtualRouterId", instance.virtualRouterId, "use an integer from 1 to 255");
    }
    this.vrrpList.push(instance);
  }

  /** Records a floating address (its getters, e.g. `healthyOn`, are read at analysis). */
  public addFloatingAddress(record: FloatingAddressRecord): void {
    this.floatingList.push(record);
  }

  /** Records a health-checked DNS name. */
  public addHealthCheckedName(record: HealthCheckedNameRecord): void {
    this.nameList.push(record);
  }

  /** Adds a note to the report. */
  public addNote(note: string): void {
    this.notes.push(note);
  }

  private claimId(id: string, what: string): void {
    if (this.ids.has(id)) invalid(id, what, id, "give each component a unique id (its construct path)");
    this.ids.add(id);
  }
}

function assertPrediction(
  where: string,
  p: Pick<FailurePrediction, "fault" | "recoverySeconds" | "splitBrainAfterSeconds" | "dataLoss">,
): void {
  const figures = (["recoverySeconds", "splitBrainAfterSeconds"] as const).filter((k) => p[k] !== undefined);
  if (figures.length !== 1) {
    invalid(
      where,
      `prediction ${p.fault} figures`,
      figures,
      "give exactly one of recoverySeconds (RTO) and splitBrainAfterSeconds",
    );
  }
  for (const k of figures) {
    const v = p[k] as number;
    if (!(v >= 0)) invalid(where, `prediction ${p.fault} ${k}`, v, "use a number of seconds ≥ 0");
  }
  const loss = p.dataLoss;
  if (loss === undefined) return;
  for (const [what, seconds] of [
    ["", loss.seconds] as const,
    ...(loss.modes ?? []).map((m) => [` (${m.mode})`, m.seconds] as const),
  ]) {
    if (!(seconds >= 0)) {
      invalid(where, `prediction ${p.fault} dataLoss seconds${what}`, seconds, "use a number of seconds ≥ 0");
    }
  }
  const worst = Math.max(0, ...(loss.modes ?? []).map((m) => m.seconds));
  if (loss.seconds < worst) {
    invalid(
      where,
      `prediction ${p.fault} dataLoss seconds`,
      loss.seconds,
      `give the worst case over the modes (${worst} s or more)`,
    );
  }
}
