import type { AvailabilityModel } from "../../model/availability";
import { findSinglePointsOfFailure } from "../single-points-of-failure";
import { Compliance, type HaRule, type RuleResult, resultOf, Severity } from "./rule";

/**
 * A host, managed component or failure domain whose loss stops a redundancy group (directly or
 * through a group it depends on). A warning: a single Docker host is one failure domain by
 * nature, and the stack is still worth synthesizing.
 */
export const singlePointOfFailure: HaRule = {
  id: "HA-SinglePointOfFailure",
  severity: Severity.WARNING,
  summary: "No single host, managed component or failure domain stops a redundancy group when it fails.",
  check(model: AvailabilityModel): RuleResult {
    if (model.groups.length === 0) {
      return { compliance: Compliance.NOT_APPLICABLE, reason: "the stack records no redundancy group" };
    }
    return resultOf(
      findSinglePointsOfFailure(model).map((s) => ({
        // A failure domain is a platform's: the finding goes on the (first) platform that has it.
        constructPath:
          s.kind === "component" ? s.id : (model.platformsOfDomain(s.id)[0] ?? (s.breaks[0] as string)),
        subject: s.id,
        message: `${s.reason}; stops ${s.breaks.join(", ")}`,
      })),
    );
  },
};
