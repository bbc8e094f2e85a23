/**
 * Blackhole: every packet into or out of a host dropped silently (no refusal, no ICMP), loopback
 * excepted, as a hung machine or a cut cable the link does not notice. Its peers can only time out.
 * ARP is dropped too (nftables' `inet` family never sees it, so it takes an `arp` table): a hung
 * machine answers no ARP probe, and a peer that asks before taking an address over (the VRRP
 * claim's partition guard) must hear nothing.
 */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export const BLACKHOLE_TABLE = "ha_drill_blackhole";

/** The nftables ruleset of a blackhole: drop every IP packet but loopback's, and all ARP, both ways. */
export function blackholeRuleset(): string {
  const chain = (hook: string, accept?: string) => [
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority -300; policy drop;`,
    ...(accept ? [`    ${accept} accept`] : []),
    "  }",
  ];
  return [
    `table inet ${BLACKHOLE_TABLE} {`,
    ...chain("input", 'iifname "lo"'),
    ...chain("output", 'oifname "lo"'),
    "}",
    `table arp ${BLACKHOLE_TABLE} {`,
    ...chain("input"),
    ...chain("output"),
    "}",
    "",
  ].join("\n");
}

/** The nftables commands that lift a blackhole: both of its tables deleted at once. */
function blackholeHealRuleset(): string {
  return [`delete table arp ${BLACKHOLE_TABLE}`, `delete table inet ${BLACKHOLE_TABLE}`, ""].join("\n");
}

export async function blackhole(lab: Lab, hostname: string): Promise<InjectedFault> {
  const atMs = nowMs();
  await lab.applyNft(hostname, blackholeRuleset());
  return {
    description: `blackhole of ${hostname}: every packet in and out dropped silently (nft)`,
    atMs,
    // Both tables in one nft transaction: one process (seconds each on an emulated CPU), and no
    // moment with ARP let through while IP is still dropped.
    heal: () => lab.applyNft(hostname, blackholeHealRuleset()),
  };
}
