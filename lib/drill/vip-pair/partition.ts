/**
 * The VIP pair's partition: the backup stops hearing VRRP and its peers (ARP still crosses) for
 * a while, then the partition heals. VRRP has no quorum, so without a guard both nodes hold the
 * VIP meanwhile (split-brain); with the ARP probe guard the backup becomes MASTER but does not
 * add the VIP while the master answers for it. The drill reports holders as they happen, checks
 * that the report is true, and records which node served the clients during the cut (the
 * answering node of each request).
 */
import { countRequests, restoredSeconds, roundSeconds } from "../core/measure";
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, Injection, RunFacts, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import type { InjectedFault } from "../faults/fault";
import { partition } from "../faults/partition";
import { vipMeasurement } from "./outcome";
import { type ServingSpell, servingNodes, servingSpells } from "./serving";
import type { VipPairSession } from "./session";
import { type DuplicateVip, duplicateVip } from "./vip-timeline";

const VRRP_PROTOCOL = 112;

/**
 * The split-brain report must agree with the replayed address timeline of the partition (two
 * live holders at once). keepalived's state files, read while the partition lasted, are shown
 * beside it: with the ARP probe guard every node is MASTER while one holds the address.
 */
export function splitBrainReported(facts: RunFacts): DrillCheck {
  const d = facts.measurement.details;
  const claimed = d.splitBrain === true;
  const timeline = (d.duplicateVipDuringPartition as DuplicateVip).detected;
  const onset = d.splitBrainAfterSeconds as number | null;
  const consistent = claimed === timeline && (!claimed || onset !== null);
  return {
    name: "split-brain-reported",
    passed: consistent,
    detail: `${claimed ? `split-brain reported ${onset ?? "?"} s after the cut` : "no split-brain reported"}; address timeline: ${timeline ? "two holders at once" : "one holder"}; state files: ${JSON.stringify(d.stateFilesDuringPartition)}`,
  };
}

/**
 * The clients were served until the end of the cut, and the record says by whom. Where a new
 * master probes for another holder first (`addressProbe`), one node must have served them
 * throughout (the master); without the guard they may follow the new master's gratuitous ARP.
 */
export function clientsServedDuringPartition(
  facts: RunFacts,
  master: string,
  addressProbe: boolean,
): DrillCheck {
  const d = facts.measurement.details;
  const spells = d.servedDuringPartition as ServingSpell[];
  const by = d.servedByDuringPartition as string[];
  const partition = d.partitionSeconds as number;
  const served = (spells.at(-1)?.toSeconds ?? -1) >= partition - 1;
  const one = by.length === 1 && by[0] === master;
  const story = spells.map((x) => `${x.answeredBy} ${x.fromSeconds}-${x.toSeconds} s`).join(", ");
  return {
    name: "clients-served-during-partition",
    passed: served && (one || !addressProbe),
    detail: `${one ? `served by the master ${master} only` : `served by ${by.join(" then ") || "nobody"}`}${addressProbe ? " (ARP probe guard on)" : " (no ARP probe guard)"}: ${story || "no answers"}`,
  };
}

export const PARTITION: Scenario<VipPairSession, Injection & { readonly cut: InjectedFault }> = {
  name: "partition",
  description:
    "VRRP and peer traffic dropped on the backup (nft) for a while, then healed; holders and the node serving the clients reported as they happen",
  async inject(s) {
    const peers = s.plan.nodes.filter((n) => n !== s.other).map((n) => n.address);
    const fault = await partition(s.lab, s.other.hostname, { peers, protocols: [VRRP_PROTOCOL] });
    s.env.say(fault.description);
    return { fault: `partition between the LB nodes: ${fault.description}`, atMs: fault.atMs, cut: fault };
  },
  async measure(s, injection) {
    const t0 = injection.atMs;
    // A split comes after the master-down interval, or never (ARP probe guard): the cut then
    // lasts twice the partition time.
    const partitionMs = s.env.timings.partitionSeconds * 1000;
    const split = await waitUntil(() => s.watch.holders().length >= 2, partitionMs, 5);
    const splitAt =
      split === undefined ? undefined : s.watch.events.filter((e) => e.holdsVip && e.t >= t0).at(0)?.t;
    await sleep(partitionMs);
    const stateFilesDuringPartition = await s.stateFiles();
    const tHeal = nowMs();
    const requestsDuringPartition = countRequests(
      s.records.filter((r) => r.startMs >= t0 && r.endMs < tHeal),
    );
    const servedDuringPartition = servingSpells(s.records, t0, tHeal);
    s.env.say("healing the partition");
    await injection.cut.heal();
    const healed = await waitUntil(() => s.watch.holders().length === 1, 10_000, 5);
    const steady = await s.waitForSteady(s.env.timings.settleSeconds * 1000, 15_000, tHeal);
    const afterHeal = s.records.filter((r) => r.startMs >= tHeal);
    return vipMeasurement(s, injection, "splitBrainAfterSeconds", {
      partitionSeconds: s.env.timings.partitionSeconds,
      stateFilesDuringPartition,
      requestsDuringPartition,
      servedDuringPartition,
      servedByDuringPartition: servingNodes(servedDuringPartition),
      duplicateVipDuringPartition: duplicateVip(s.watch.events, t0, tHeal),
      splitBrain: split !== undefined,
      splitBrainAfterSeconds: splitAt === undefined ? null : roundSeconds(splitAt - t0),
      singleHolderAfterHealSeconds: healed === undefined ? null : roundSeconds(healed),
      requestsAfterHeal: countRequests(afterHeal),
      clientRestoredAfterHealSeconds: steady ? restoredSeconds(afterHeal, tHeal) : null,
    });
  },
  checks(s, facts) {
    const d = facts.measurement.details;
    return [
      splitBrainReported(facts),
      clientsServedDuringPartition(facts, s.master.loadBalancerName, s.plan.addressProbe),
      {
        name: "single-holder-after-heal",
        passed: d.singleHolderAfterHealSeconds !== null,
        detail: `one holder ${d.singleHolderAfterHealSeconds ?? "never"} s after the heal`,
      },
      {
        name: "service-restored-after-heal",
        passed: d.clientRestoredAfterHealSeconds !== null,
        detail: `client served again ${d.clientRestoredAfterHealSeconds ?? "never (within 15 s)"} s after the heal`,
      },
    ];
  },
};
