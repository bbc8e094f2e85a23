/** The VIP pair's node loss: the master's links down and every process of it killed at once. */
import type { Scenario } from "../core/scenario";
import { loseNode } from "../faults/node-loss";
import { noDuplicateVip, serviceRestored, vipMoved } from "./checks";
import { outcomeOf, vipMeasurement } from "./outcome";
import type { VipPairSession } from "./session";

export const NODE_LOSS: Scenario<VipPairSession> = {
  name: "node-loss",
  description:
    "the master's links down and every process of it killed at once; fault → first answer through the other node",
  predicts: "node-loss",
  predictionMember: (s) => s.master.container.constructPath,
  async inject(s) {
    const fault = await loseNode(s.lab, s.master.hostname);
    s.watch.markLink(s.master.hostname, false, fault.atMs);
    return {
      fault: `node loss of the master ${fault.description.replace(/^node loss of /, "")}`,
      atMs: fault.atMs,
      answeredBefore: s.master.loadBalancerName,
    };
  },
  async measure(s, injection, prediction) {
    const bound = s.bound(prediction);
    await s.waitForAnswerFromOther(s.master.loadBalancerName, injection.atMs, bound);
    await s.waitForSteady(s.env.timings.settleSeconds * 1000, bound);
    return vipMeasurement(s, injection, "failoverSeconds", {});
  },
  checks(s, facts) {
    return [
      vipMoved(facts),
      serviceRestored(facts),
      noDuplicateVip(s, outcomeOf(facts.measurement.details).duplicateVip),
    ];
  },
};
