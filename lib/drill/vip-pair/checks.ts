/** Checks several VIP pair scenarios make. */
import type { DrillCheck, RunFacts } from "../core/scenario";
import { outcomeOf } from "./outcome";
import type { VipPairSession } from "./session";
import type { DuplicateVip } from "./vip-timeline";

/** The VIP ended on one node, not the old master. */
export function vipMoved(facts: RunFacts): DrillCheck {
  const o = outcomeOf(facts.measurement.details);
  return {
    name: "vip-moved",
    passed: o.masterAfter !== null && o.masterAfter !== o.masterBefore,
    detail: `VIP on ${o.masterAfter ?? (o.holdersAtEnd.join("+") || "none")}`,
  };
}

/** The client was served again for good. */
export function serviceRestored(facts: RunFacts): DrillCheck {
  const restored = facts.figures.restoredSeconds;
  return {
    name: "service-restored",
    passed: restored !== null,
    detail: `restored after ${restored ?? "never"} s`,
  };
}

/**
 * No two live nodes held the VIP at once for longer than a handover may overlap: during one, the
 * new master adds the VIP before the old one has seen its advert (up to one advert interval).
 * `when` qualifies the window ("after the restart").
 */
export function noDuplicateVip(s: VipPairSession, dup: DuplicateVip, when?: string): DrillCheck {
  const handover = s.plan.advertIntervalSeconds;
  const prefix = when ? `${when} ` : "";
  return {
    name: "no-duplicate-vip",
    passed: dup.longestSeconds <= handover,
    detail: dup.detected
      ? `${prefix}the VIP was on ${dup.hosts.join(" and ")} at once for ${dup.seconds} s (longest ${dup.longestSeconds} s; a handover may overlap up to one advert interval, ${handover} s)`
      : `never on two live nodes at once${when ? ` ${when}` : ""}`,
  };
}
