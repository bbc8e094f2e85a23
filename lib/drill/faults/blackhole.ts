/**
 * Blackhole: every packet into or out of a host dropped silently (no refusal, no ICMP), loopback
 * excepted, as a hung machine or a cut cable the link does not notice. Its peers can only time out.
 */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export const BLACKHOLE_TABLE = "ha_drill_blackhole";

/** The nftables ruleset of a blackhole: drop everything but loopback, both ways. */
export function blackholeRuleset(): string {
  const chain = (hook: string, dir: "iifname" | "oifname") => [
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority -300; policy drop;`,
    `    ${dir} "lo" accept`,
    "  }",
  ];
  return [
    `table inet ${BLACKHOLE_TABLE} {`,
    ...chain("input", "iifname"),
    ...chain("output", "oifname"),
    "}",
    "",
  ].join("\n");
}

export async function blackhole(lab: Lab, hostname: string): Promise<InjectedFault> {
  const atMs = nowMs();
  await lab.applyNft(hostname, blackholeRuleset());
  return {
    description: `blackhole of ${hostname}: every packet in and out dropped silently (nft)`,
    atMs,
    heal: () => lab.removeNft(hostname, "inet", BLACKHOLE_TABLE),
  };
}
