/**
 * The VIP pair's master restart: node loss of the master, then the node starts again in a fresh
 * network with the same files. With preemption the VIP must come back to it, no sooner than
 * `preempt_delay`; with `nopreempt` it must stay where it went.
 */
import { countRequests, longestGapSeconds, roundSeconds } from "../core/measure";
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, Injection, Scenario } from "../core/scenario";
import type { InjectedFault } from "../faults/fault";
import { loseNode } from "../faults/node-loss";
import { noDuplicateVip } from "./checks";
import { outcomeOf, vipMeasurement } from "./outcome";
import type { VipPairSession } from "./session";
import { type DuplicateVip, duplicateVip } from "./vip-timeline";

/** Restarts the lost master and waits for what its preemption setting promises. */
async function restart(s: VipPairSession, lost: InjectedFault): Promise<Record<string, unknown>> {
  const host = s.master.hostname;
  const oldLb = s.master.loadBalancerName;
  const plan = s.plan;
  s.env.say(`restarting ${host}`);
  await s.watch.forget(host);
  const t1 = nowMs();
  await lost.heal();
  s.watch.watchAgain(host, t1);
  if (plan.preempt) {
    s.env.say(
      `waiting up to ${plan.preemptDelaySeconds + 20} s for preemption (preempt_delay ${plan.preemptDelaySeconds} s)`,
    );
    await s.waitForAnswerFrom(oldLb, t1, (plan.preemptDelaySeconds + 20) * 1000);
    await s.waitForSteady(s.env.timings.settleSeconds * 1000, 10_000);
  } else {
    s.env.say("nopreempt: checking the VIP stays where it is");
    await sleep((plan.preemptDelaySeconds + 5) * 1000);
  }
  const gained = s.watch.gainedAt(host, t1);
  const back = s.records.find((r) => r.outcome === "ok" && r.answeredBy === oldLb && r.endMs >= t1);
  return {
    restartAtSeconds: roundSeconds(t1 - lost.atMs),
    preempt: plan.preempt,
    preemptDelaySeconds: plan.preemptDelaySeconds,
    vipBackAfterRestartSeconds: gained === undefined ? null : roundSeconds(gained - t1),
    answersBackAfterRestartSeconds: back ? roundSeconds(back.endMs - t1) : null,
    requestsAfterRestart: countRequests(s.records.filter((r) => r.endMs >= t1)),
    longestGapAfterRestartSeconds: longestGapSeconds(s.records, t1, nowMs()),
    stateFiles: await s.stateFiles(),
    duplicateVipAfterRestart: duplicateVip(s.watch.events, t1, nowMs()),
  };
}

export const MASTER_RESTART: Scenario<VipPairSession, Injection & { readonly lost: InjectedFault }> = {
  name: "master-restart",
  description:
    "node loss of the master, then it restarts in a fresh network; the VIP back after preempt_delay, no duplicate VIP",
  predicts: "node-loss",
  predictionMember: (s) => s.master.container.constructPath,
  async inject(s) {
    s.env.say(`node loss of ${s.master.hostname}`);
    const fault = await loseNode(s.lab, s.master.hostname);
    s.watch.markLink(s.master.hostname, false, fault.atMs);
    return {
      fault: `node loss of the master ${s.master.hostname}, then the node restarts (fresh network, same files)`,
      atMs: fault.atMs,
      answeredBefore: s.master.loadBalancerName,
      lost: fault,
    };
  },
  async measure(s, injection, prediction) {
    const bound = s.bound(prediction);
    await s.waitForAnswerFromOther(s.master.loadBalancerName, injection.atMs, bound);
    await s.waitForSteady(1000, bound);
    return vipMeasurement(s, injection, "failoverSeconds", await restart(s, injection.lost));
  },
  checks(s, facts) {
    const d = facts.measurement.details;
    const o = outcomeOf(d);
    const vipBack = d.vipBackAfterRestartSeconds as number | null;
    const checks: DrillCheck[] = [];
    if (s.plan.preempt) {
      checks.push(
        {
          name: "vip-returned",
          passed: o.masterAfter === o.masterBefore,
          detail: `VIP on ${o.masterAfter ?? (o.holdersAtEnd.join("+") || "none")} at the end`,
        },
        {
          name: "preempt-delay-honoured",
          passed: vipBack !== null && vipBack >= s.plan.preemptDelaySeconds,
          detail: `VIP back ${vipBack ?? "never"} s after the restart; preempt_delay ${s.plan.preemptDelaySeconds} s`,
        },
      );
    } else {
      checks.push({
        name: "vip-stayed",
        passed: o.masterAfter === s.other.hostname,
        detail: `VIP on ${o.masterAfter ?? "none"} (nopreempt)`,
      });
    }
    checks.push(noDuplicateVip(s, d.duplicateVipAfterRestart as DuplicateVip, "after the restart"), {
      name: "single-holder-at-end",
      passed: o.holdersAtEnd.length === 1,
      detail: `holders at the end: ${o.holdersAtEnd.join(", ") || "none"}`,
    });
    return checks;
  },
};
