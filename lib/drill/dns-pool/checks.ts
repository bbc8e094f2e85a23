/** Checks the DNS pool's scenarios share. */
import type { DrillCheck } from "../core/scenario";
import type { DnsPoolSession } from "./session";

/** Slack over a prediction: the clients' pacing and the checker's own probe time. */
export function allowedSeconds(predicted: number): number {
  return Math.round((predicted * 1.25 + 0.25) * 1000) / 1000;
}

/** The measured figure, when there is one, is within the prediction (with slack). */
export function withinPrediction(
  name: string,
  measured: number | null,
  predicted: number | undefined,
): DrillCheck {
  if (measured === null) return { name, passed: false, detail: "never happened within the wait" };
  if (predicted === undefined)
    return { name, passed: true, detail: `${measured} s (no prediction in the report)` };
  const allowed = allowedSeconds(predicted);
  return {
    name,
    passed: measured <= allowed,
    detail: `${measured} s, predicted ${predicted} s (allowed ${allowed} s)`,
  };
}

/** Every address the servers answer with now accepts HTTP on the service port. */
export async function answeredServe(s: DnsPoolSession): Promise<{ addresses: string[]; failing: string[] }> {
  const addresses = new Set<string>();
  for (const c of s.direct) for (const a of c.records[c.records.length - 1]?.answers ?? []) addresses.add(a);
  const failing: string[] = [];
  for (const a of addresses) if (!(await s.serves(a))) failing.push(a);
  return { addresses: [...addresses].sort(), failing };
}

export function answeredServeCheck(result: {
  addresses: readonly string[];
  failing: readonly string[];
}): DrillCheck {
  return {
    name: "answered-addresses-serve",
    passed: result.addresses.length > 0 && result.failing.length === 0,
    detail:
      result.failing.length > 0
        ? `answered but not serving: ${result.failing.join(", ")}`
        : `every answered address serves (${result.addresses.join(", ") || "none answered"})`,
  };
}
