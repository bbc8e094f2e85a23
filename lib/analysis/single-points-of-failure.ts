import type { AvailabilityModel, RedundancyGroupRecord } from "../model/availability";
import type { SinglePointOfFailure } from "./report-document";

/**
 * Finds the single points of failure of a model: a component whose loss takes a redundancy
 * group below its minimum, and a failure domain whose loss does. A group also breaks when a
 * group it depends on breaks. A managed component fails with a domain only when it spans no
 * other; one that spans several domains is not a single point of failure by itself (the cloud
 * replaces its nodes), one that lives in a single domain is.
 */
export function findSinglePointsOfFailure(model: AvailabilityModel): SinglePointOfFailure[] {
  const breaks = groupBreaker(model.groups);
  const hosts = model.components;
  const managed = model.managedComponents;
  const total = hosts.length + managed.length;
  const inDomain = new Map<string, string[]>();
  const add = (domain: string, id: string) => inDomain.set(domain, [...(inDomain.get(domain) ?? []), id]);
  for (const c of hosts) add(c.failureDomain, c.id);
  for (const m of managed) if (m.failureDomains.length === 1) add(m.failureDomains[0] as string, m.id);

  const spofs: SinglePointOfFailure[] = [];
  const domains = [...model.failureDomains.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const d of domains) {
    const lost = new Set(inDomain.get(d.id) ?? []);
    if (lost.size === 0) continue;
    const broken = breaks(lost);
    if (broken.length) {
      spofs.push({
        kind: "failure-domain",
        id: d.id,
        breaks: broken,
        reason: `losing ${d.kind} ${d.id} (${d.description}) takes down ${lost.size} of ${total} components`,
      });
    }
  }
  const single = [
    ...hosts.map((c) => ({ id: c.id, name: c.hostname, role: c.role })),
    ...managed
      .filter((m) => m.failureDomains.length === 1)
      .map((m) => ({ id: m.id, name: m.service, role: m.role })),
  ];
  for (const c of single) {
    const broken = breaks(new Set([c.id]));
    if (broken.length) {
      spofs.push({
        kind: "component",
        id: c.id,
        breaks: broken,
        reason: `${c.name} (${c.role}) has no redundant peer in ${broken.join(", ")}`,
      });
    }
  }
  return spofs;
}

/**
 * A function from a set of lost component ids to the sorted ids of the groups that stop serving,
 * following dependencies. Indexes members once, so that each loss is checked against the groups
 * of the lost components only (a scan of every group per loss grows with components × members).
 */
function groupBreaker(groups: readonly RedundancyGroupRecord[]): (lost: Set<string>) => string[] {
  const groupsOf = new Map<string, RedundancyGroupRecord[]>();
  const dependents = new Map<string, RedundancyGroupRecord[]>();
  for (const g of groups) {
    for (const m of g.members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), g]);
    for (const d of g.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), g]);
  }
  return (lost) => {
    const down = new Map<RedundancyGroupRecord, number>();
    for (const id of lost) for (const g of groupsOf.get(id) ?? []) down.set(g, (down.get(g) ?? 0) + 1);
    const broken = new Set<string>();
    const queue: string[] = [];
    for (const [g, n] of down) {
      if (g.members.length - n < g.minimumHealthy && !broken.has(g.id)) {
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
}
