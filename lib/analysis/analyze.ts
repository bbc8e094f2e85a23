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

  /** Groups that stop when the components in `lost` fail, following dependencies. */
  const brokenBy = (lost: Set<string>): string[] => {
    const broken = new Set<string>();
    for (const g of groups) {
      const down = g.members.filter((m) => lost.has(m)).length;
      if (g.members.length - down < g.minimumHealthy) broken.add(g.id);
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const g of groups) {
        if (!broken.has(g.id) && g.dependsOn.some((d) => broken.has(d))) {
          broken.add(g.id);
          changed = true;
        }
      }
    }
    return [...broken].sort();
  };

  const spofs: SinglePointOfFailure[] = [];
  const domains = [...model.failureDomains.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const d of domains) {
    const lost = new Set(components.filter((c) => c.failureDomain === d.id).map((c) => c.id));
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
      components: components.filter((c) => c.failureDomain === d.id).map((c) => c.id),
    })),
    components,
    redundancyGroups: groups,
    singlePointsOfFailure: spofs,
    notes: [...model.notes],
  };
}
