/**
 * Partition: a host stops hearing its peers and they stop hearing it. With nftables in the
 * host's network, traffic from and to the peer addresses is dropped (not refused) on every
 * interface, and so is every packet of the given IP protocols (VRRP 112, ...) whoever sends it.
 */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export interface PartitionOptions {
  /** Addresses the host must no longer exchange packets with. */
  readonly peers: readonly string[];
  /** IP protocol numbers dropped in both directions (112: VRRP). @default [] */
  readonly protocols?: readonly number[];
}

export const PARTITION_TABLE = "ha_drill_partition";

/** The nftables ruleset of a partition on `ifaces`. */
export function partitionRuleset(ifaces: readonly string[], options: PartitionOptions): string {
  const protocols = options.protocols ?? [];
  const chain = (name: string, hook: string, dir: "iifname" | "oifname", addr: "saddr" | "daddr") => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority filter; policy accept;`,
    ...ifaces.flatMap((i) => [
      ...protocols.map((p) => `    ${dir} "${i}" ip protocol ${p} drop`),
      ...options.peers.map((p) => `    ${dir} "${i}" ip ${addr} ${p} drop`),
    ]),
    "  }",
  ];
  return [
    `table inet ${PARTITION_TABLE} {`,
    ...chain("input", "input", "iifname", "saddr"),
    ...chain("output", "output", "oifname", "daddr"),
    "}",
    "",
  ].join("\n");
}

export async function partition(
  lab: Lab,
  hostname: string,
  options: PartitionOptions,
): Promise<InjectedFault> {
  const ifaces = lab.interfaces(hostname).map((i) => i.name);
  const ruleset = partitionRuleset(ifaces, options);
  const atMs = nowMs();
  await lab.applyNft(hostname, ruleset);
  const protocols = (options.protocols ?? []).map((p) => `IP protocol ${p}`);
  return {
    description: `partition of ${hostname}: ${[...protocols, ...options.peers.map((p) => `traffic with ${p}`)].join(", ")} dropped on ${ifaces.join(", ")} (nft)`,
    atMs,
    heal: () => lab.removeNft(hostname, "inet", PARTITION_TABLE),
  };
}
