/**
 * Which node served the clients, and when: the successful requests of a window grouped into runs
 * answered by the same node. During a partition it tells whether the clients stayed with one
 * holder of the VIP or followed the other one, which two holders alone do not.
 */
import type { ProbeRecord } from "../clients/client";
import { roundSeconds } from "../core/measure";

/** A stretch of successful requests all answered by one node. */
export interface ServingSpell {
  readonly answeredBy: string;
  /** Seconds after the window's start of the first and last answer of the spell. */
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly requests: number;
}

/**
 * The spells of successful requests that ended in [fromMs, toMs), in the order they ended;
 * failed requests do not break a spell.
 */
export function servingSpells(records: readonly ProbeRecord[], fromMs: number, toMs: number): ServingSpell[] {
  const ok = records
    .filter((r) => r.outcome === "ok" && r.endMs >= fromMs && r.endMs < toMs)
    .sort((a, b) => a.endMs - b.endMs);
  const spells: { answeredBy: string; fromMs: number; toMs: number; requests: number }[] = [];
  for (const r of ok) {
    const by = r.answeredBy ?? "(none)";
    const last = spells.at(-1);
    if (last && last.answeredBy === by) {
      last.toMs = r.endMs;
      last.requests++;
    } else spells.push({ answeredBy: by, fromMs: r.endMs, toMs: r.endMs, requests: 1 });
  }
  return spells.map((s) => ({
    answeredBy: s.answeredBy,
    fromSeconds: roundSeconds(s.fromMs - fromMs),
    toSeconds: roundSeconds(s.toMs - fromMs),
    requests: s.requests,
  }));
}

/** The nodes that served in `spells`, in the order they first did. */
export function servingNodes(spells: readonly ServingSpell[]): string[] {
  return [...new Set(spells.map((s) => s.answeredBy))];
}
