/** Checks the DNS pool's scenarios share. */
import type { DrillCheck } from "../core/scenario";

import type { DnsPoolSession } from "./session";

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
