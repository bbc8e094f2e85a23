/**
 * What every VIP pair scenario reports besides the client's figures: which node held the VIP
 * before and after, and whether two live nodes held it at once (the duplicate-VIP figures).
 */
import { nowMs } from "../core/proc";
import type { Injection, Measurement } from "../core/scenario";
import type { VipPairSession } from "./session";
import { type DuplicateVip, duplicateVip, holdersAt } from "./vip-timeline";

/** The VIP pair's part of every run's details. */
export interface VipOutcome {
  readonly masterBefore: string;
  /** Node holding the VIP when the run ended (null: none, or several). */
  readonly masterAfter: string | null;
  readonly holdersAtEnd: readonly string[];
  /** Time two or more live nodes held the VIP at once, from the fault to the end. */
  readonly duplicateVip: DuplicateVip;
}

export function duplicateText(dup: DuplicateVip): string {
  return dup.detected
    ? `duplicate VIP ${dup.seconds.toFixed(3)} s (longest ${dup.longestSeconds.toFixed(3)} s)`
    : "no duplicate VIP";
}

/** The measurement of a VIP pair scenario: its own details plus the VIP outcome. */
export function vipMeasurement(
  s: VipPairSession,
  injection: Injection,
  measure: string,
  details: Readonly<Record<string, unknown>>,
): Measurement {
  const end = nowMs();
  const holders = holdersAt(s.watch.events, end);
  const outcome: VipOutcome = {
    masterBefore: s.master.hostname,
    masterAfter: holders.length === 1 ? (holders[0] as string) : null,
    holdersAtEnd: holders,
    duplicateVip: duplicateVip(s.watch.events, injection.atMs, end),
  };
  return {
    measure,
    details: { ...outcome, ...details },
    highlights: [`VIP on ${holders.join("+") || "none"}`, duplicateText(outcome.duplicateVip)],
  };
}

/** The VIP outcome of a run's details. */
export function outcomeOf(details: Readonly<Record<string, unknown>>): VipOutcome {
  return details as unknown as VipOutcome;
}
