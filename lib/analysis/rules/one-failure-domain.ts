import type { AvailabilityModel, RedundancyGroupRecord } from "../../model/availability";
import { Compliance, type HaRule, type RuleFinding, type RuleResult, resultOf, Severity } from "./rule";

/**
 * The members of a redundancy group all in one failure domain while their platform has several:
 * the group survives a member's loss but not its domain's, though the platform could spread it.
 * Not applicable where every platform has one failure domain (a single Docker host): there the
 * single-point-of-failure rule already says what the domain's loss costs.
 */
export const oneFailureDomain: HaRule = {
  id: "HA-OneFailureDomain",
  severity: Severity.WARNING,
  summary: "The members of a redundancy group are spread over the failure domains their platform has.",
  check(model: AvailabilityModel): RuleResult {
    const spreadable = model.platforms.filter((p) => model.failureDomainsOf(p.id).length > 1);
    if (spreadable.length === 0) {
      return {
        compliance: Compliance.NOT_APPLICABLE,
        reason: "no platform has more than one failure domain",
      };
    }
    const groups = model.groups.filter((g) => g.members.length > 1);
    if (groups.length === 0) {
      return {
        compliance: Compliance.NOT_APPLICABLE,
        reason: "no redundancy group has more than one member",
      };
    }
    const domainsOf = new Map<string, readonly string[]>([
      ...model.components.map((c) => [c.id, [c.failureDomain]] as const),
      ...model.managedComponents.map((c) => [c.id, c.failureDomains] as const),
    ]);
    const findings: RuleFinding[] = [];
    for (const g of groups) {
      const domain = soleDomain(domainsOf, g);
      if (domain === undefined) continue;
      for (const p of spreadable.filter((x) => model.failureDomainsOf(x.id).includes(domain))) {
        const all = model.failureDomainsOf(p.id);
        findings.push({
          constructPath: g.id,
          subject: g.id,
          message: `all ${g.members.length} members of ${g.role} group ${g.id} are in ${domain}, while platform ${p.id} has ${all.length} failure domains (${all.join(", ")}); spread the members over them`,
        });
      }
    }
    return resultOf(findings);
  },
};

/** The one failure domain every member of `group` is in; undefined when they span more, or one is unknown. */
function soleDomain(
  domainsOf: ReadonlyMap<string, readonly string[]>,
  group: RedundancyGroupRecord,
): string | undefined {
  const domains = new Set<string>();
  for (const m of group.members) {
    const of = domainsOf.get(m);
    if (of === undefined) return undefined;
    for (const d of of) domains.add(d);
  }
  return domains.size === 1 ? [...domains][0] : undefined;
}
