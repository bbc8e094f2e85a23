import type { AvailabilityModel, VrrpInstanceRecord } from "../../model/availability";
import { Compliance, type HaRule, type RuleFinding, type RuleResult, resultOf, Severity } from "./rule";

/**
 * Two VRRP instances with one virtual router id on one segment: each takes the other's adverts
 * for its own group's and both claim the same virtual MAC (00-00-5E-00-01-{id}), so the
 * elections of both groups break. An error: the stack would not fail over as predicted.
 */
export const vridClash: HaRule = {
  id: "HA-VridClash",
  severity: Severity.ERROR,
  summary: "Every VRRP instance on a segment has its own virtual router id.",
  check(model: AvailabilityModel): RuleResult {
    if (model.vrrpInstances.length === 0) {
      return { compliance: Compliance.NOT_APPLICABLE, reason: "the stack records no VRRP instance" };
    }
    const byKey = new Map<string, VrrpInstanceRecord[]>();
    for (const i of model.vrrpInstances) {
      const key = `${i.segment}\u0000${i.virtualRouterId}`;
      byKey.set(key, [...(byKey.get(key) ?? []), i]);
    }
    const findings: RuleFinding[] = [];
    for (const instances of byKey.values()) {
      const owners = [...new Set(instances.map((i) => i.owner))];
      if (owners.length < 2) continue;
      const { segment, virtualRouterId } = instances[0] as VrrpInstanceRecord;
      for (const owner of owners) {
        findings.push({
          constructPath: owner,
          subject: `${segment}#${virtualRouterId}`,
          message: `virtual router id ${virtualRouterId} on segment ${segment} is also used by ${owners
            .filter((o) => o !== owner)
            .join(", ")}; give each VRRP instance on a segment its own id (1-255)`,
        });
      }
    }
    return resultOf(findings);
  },
};
