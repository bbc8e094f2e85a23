/**
 * The VIP pair's partition: the backup stops hearing VRRP and its peers for a while, then the
 * partition heals. VRRP has no quorum, so both nodes are expected to hold the VIP meanwhile
 * (split-brain); the drill reports it as it happens and checks that the report is true.
 */
import { countRequests, restoredSeconds, roundSeconds } from "../core/measure";
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, Injection, RunFacts, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import type { InjectedFault } from "../faults/fault";
import { partition } from "../faults/partition";
import { vipMeasurement } from "./outcome";
import type { VipPairSession } from "./session";
import { type DuplicateVip, duplicateVip } from "./vip-timeline";

const VRRP_PROTOCOL = 112;

/**
 * The split-brain report must agree with two independent witnesses: the replayed address
 * timeline of the partition (two live holders at once) and keepalived's own state files
 * (every node MASTER) read while the partition lasted.
 */
export function splitBrainReported(facts: RunFacts): DrillCheck {
  const d = facts.measurement.details;
  const claimed = d.splitBrain === true;
  const timeline = (d.duplicateVipDuringPartition as DuplicateVip).detected;
  const states = Object.values(d.stateFilesDuringPartition as Record<string, string | null>);
  const allMaster = states.length >= 2 && states.every((s) => s === "MASTER");
  const onset = d.splitBrainAfterSeconds as number | null;
  const consistent = claimed === timeline && claimed === allMaster && (!claimed || onset !== null);
  return {
    name: "split-brain-reported",
    passed: consistent,
    detail: `${claimed ? `split-brain reported ${onset ?? "?"} s after the cut` : "no split-brain reported"}; address timeline: ${timeline ? "two holders at once" : "one holder"}; state files: ${JSON.stringify(d.stateFilesDuringPartition)}`,
  };
}

export const PARTITION: Scenario<VipPairSession, Injection & { readonly cut: InjectedFault }> = {
  name: "partition",
  description:
    "VRRP and peer traffic dropped on the backup (nft) for a while, then healed; split-brain reported as it happens",
  async inject(s) {
    const peers = s.plan.nodes.filter((n) => n !== s.other).map((n) => n.address);
    const fault = await partition(s.lab, s.other.hostname, { peers, protocols: [VRRP_PROTOCOL] });
    s.env.say(fault.description);
    return { fault: `partition between the LB nodes: ${fault.description}`, atMs: fault.atMs, cut: fault };
  },
  async measure(s, injection) {
    const t0 = injection.atMs;
    const split = await waitUntil(() => s.watch.holders().length >= 2, 10_000, 5);
    const splitAt =
      split === undefined ? undefined : s.watch.events.filter((e) => e.holdsVip && e.t >= t0).at(0)?.t;
    await sleep(s.env.timings.partitionSeconds * 1000);
    const stateFilesDuringPartition = await s.stateFiles();
    const tHeal = nowMs();
    const requestsDuringPartition = countRequests(
      s.records.filter((r) => r.startMs >= t0 && r.endMs < tHeal),
    );
    s.env.say("healing the partition");
    await injection.cut.heal();
    const healed = await waitUntil(() => s.watch.holders().length === 1, 10_000, 5);
    const steady = await s.waitForSteady(s.env.timings.settleSeconds * 1000, 15_000, tHeal);
    const afterHeal = s.records.filter((r) => r.startMs >= tHeal);
    return vipMeasurement(s, injection, "splitBrainAfterSeconds", {
      partitionSeconds: s.env.timings.partitionSeconds,
      stateFilesDuringPartition,
      requestsDuringPartition,
      duplicateVipDuringPartition: duplicateVip(s.watch.events, t0, tHeal),
      splitBrain: split !== undefined,
      splitBrainAfterSeconds: splitAt === undefined ? null : roundSeconds(splitAt - t0),
      singleHolderAfterHealSeconds: healed === undefined ? null : roundSeconds(healed),
      requestsAfterHeal: countRequests(afterHeal),
      clientRestoredAfterHealSeconds: steady ? restoredSeconds(afterHeal, tHeal) : null,
    });
  },
  checks(_s, facts) {
    const d = facts.measurement.details;
    return [
      splitBrainReported(facts),
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
