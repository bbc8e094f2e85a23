import type { AvailabilityModel, FailurePrediction } from "../model/availability";

export interface ReportComponent {
  readonly id: string;
  readonly hostname: string;
  readonly role: string;
  readonly topology: string;
  readonly failureDomain: string;
  readonly address?: string;
}

export interface ReportGroup {
  readonly id: string;
  readonly role: string;
  readonly topology: string;
  readonly mechanism: string;
  readonly members: readonly string[];
  readonly minimumHealthy: number;
  /** Members that may fail at once with the service still up. */
  readonly toleratedFailures: number;
  /** Distinct failure domains the members are spread over. */
  readonly failureDomains: readonly string[];
  readonly dependsOn: readonly string[];
  readonly predictions: readonly FailurePrediction[];
}

export interface SinglePointOfFailure {
  /** "component" (one host) or "failure-domain" (a Docker host or zone). */
  readonly kind: "component" | "failure-domain";
  readonly id: string;
  /** Redundancy groups that stop serving when it fails. */
  readonly breaks: readonly string[];
  readonly reason: string;
}

export interface HaReportDocument {
  readonly schemaVersion: 1;
  readonly stack: string;
  readonly platform: string;
  readonly failureDomains: ReadonlyArray<{
    id: string;
    kind: string;
    description: string;
    components: string[];
  }>;
  readonly components: readonly ReportComponent[];
  readonly redundancyGroups: readonly ReportGroup[];
  readonly singlePointsOfFailure: readonly SinglePointOfFailure[];
  readonly notes: readonly string[];
}

/**
 * Finds the single points of failure of a model: a component whose loss takes a redundancy
 * group below its minimum, and a failure domain whose loss does. A group also breaks when a
 * group it depends on breaks.
 */
export function analyze(stack: string, model: AvailabilityModel): HaReportDocument {
  const components: ReportComponent[] = model.components.map((c) => ({
    id: c.id,
    hostname: c.hostname,
    role: c.role,
    topology: c.topology,
    failureDomain: c.failureDomain,
    ...(c.address ? { address: c.address() } : {}),
  }));
  const domainOf = new Map(components.map((c) => [c.id, c.failureDomain]));
  const groups: ReportGroup[] = model.groups.map((g) => ({
    id: g.id,
    role: g.role,
    topology: g.topology,
    mechanism: g.mechanism,
    members: [...g.members],
    minimumHealthy: g.minimumHealthy,
    toleratedFailures: Math.max(0, g.members.length - g.minimumHealthy),
    failureDomains: [...new Set(g.members.map((m) => domainOf.get(m) ?? "unknown"))].sort(),
    dependsOn: [...g.dependsOn],
    predictions: [...g.predictions],
  }));

  // Which groups each component belongs to, so that a loss is checked against those groups only
  // (a scan of every group's members per component would grow with components × members).
  const groupsOf = new Map<string, ReportGroup[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const list = groupsOf.get(m) ?? [];
      list.push(g);
      groupsOf.set(m, list);
    }
  }
  const dependents = new Map<string, ReportGroup[]>();
  for (const g of groups) {
    for (const d of g.dependsOn) {
      const list = dependents.get(d) ?? [];
      list.push(g);
      dependents.set(d, list);
    }
  }

  /** Groups that stop when the components in `lost` fail, following dependencies. */
  const brokenBy = (lost: Set<string>): string[] => {
    const down = new Map<ReportGroup, number>();
    for (const id of lost) for (const g of groupsOf.get(id) ?? []) down.set(g, (down.get(g) ?? 0) + 1);
    const broken = new Set<string>();
    const queue: string[] = [];
    for (const [g, n] of down) {
      if (g.members.length - n < g.minimumHealthy) {
        broken.add(g.id);
        queue.push(g.id);
      }
    }
    while (queue.length > 0) {
      for (const g of dependents.get(queue.pop() as string) ?? []) {
        if (!broken.has(g.id)) {
          broken.add(g.id);
          queue.push(g.id);
        }
      }
    }
    return [...broken].sort();
  };

  const spofs: SinglePointOfFailure[] = [];
  const domains = [...model.failureDomains.values()].sort((a, b) => a.id.localeCompare(b.id));
  const inDomain = new Map<string, string[]>();
  for (const c of components) {
    const list = inDomain.get(c.failureDomain) ?? [];
    list.push(c.id);
    inDomain.set(c.failureDomain, list);
  }
  for (const d of domains) {
    const lost = new Set(inDomain.get(d.id) ?? []);
    if (lost.size === 0) continue;
    const breaks = brokenBy(lost);
    if (breaks.length) {
      spofs.push({
        kind: "failure-domain",
        id: d.id,
        breaks,
        reason: `losing ${d.kind} ${d.id} (${d.description}) takes down ${lost.size} of ${components.length} components`,
      });
    }
  }
  for (const c of components) {
    const breaks = brokenBy(new Set([c.id]));
    if (breaks.length) {
      spofs.push({
        kind: "component",
        id: c.id,
        breaks,
        reason: `${c.hostname} (${c.role}) has no redundant peer in ${breaks.join(", ")}`,
      });
    }
  }

  return {
    schemaVersion: 1,
    stack,
    platform: model.platform,
    failureDomains: domains.map((d) => ({
      id: d.id,
      kind: d.kind,
      description: d.description,
      components: inDomain.get(d.id) ?? [],
    })),
    components,
    redundancyGroups: groups,
    singlePointsOfFailure: spofs,
    notes: [...model.notes],
  };
}
