/**
 * The VIP pair's backend death: one backend's server killed and held down (or, for a stand-in,
 * the whole container); HAProxy's checks must take it out of rotation with no failed request.
 */

import { nowMs, sleep } from "../core/proc";
import type { Scenario } from "../core/scenario";
import { killProcess, pidFromFile } from "../faults/process-kill";
import { vipMeasurement } from "./outcome";
import type { VipPairBackend } from "./plan";
import type { VipPairSession } from "./session";

function victimOf(s: VipPairSession): VipPairBackend {
  const victim = s.plan.backends[0];
  if (!victim) s.fail("no backend");
  return victim;
}

export const BACKEND_DEATH: Scenario<VipPairSession> = {
  name: "backend-death",
  description:
    "one backend's server killed and held down; HAProxy must take it out of rotation (predicted: no failed request)",
  predicts: "backend-process-death",
  predictionMember: (s) => s.plan.backends[0]?.container.constructPath,
  async inject(s) {
    const victim = victimOf(s);
    const host = victim.hostname;
    const supervised = await pidFromFile(s.lab, host, "/run/ha/backend.pid");
    if (supervised !== undefined && !s.lab.isStandIn(host)) {
      s.env.say(`killing ${host}'s server`);
      const fault = await killProcess(s.lab, host, {
        pidFile: "/run/ha/backend.pid",
        holdFile: "/run/ha/backend.hold",
      });
      return {
        fault: `backend ${host}'s server process killed (SIGKILL by /run/ha/backend.pid, held down by /run/ha/backend.hold)`,
        atMs: fault.atMs,
      };
    }
    s.env.say(`killing ${host}`);
    const atMs = nowMs();
    await s.lab.killHost(host);
    return { fault: `backend ${host} (stand-in server) killed`, atMs };
  },
  async measure(s, injection) {
    const victim = victimOf(s);
    // Passive checks (error-limit) and active checks (fall × inter) both get time to act.
    await sleep(Math.max(4000, s.env.timings.settleSeconds * 1000));
    const after = s.records.filter((r) => r.startMs >= injection.atMs + 3000 && r.outcome === "ok");
    return vipMeasurement(s, injection, "restoredSeconds", {
      victim: victim.hostname,
      servedByVictimAfter3s: after.filter((r) => r.servedBy === victim.hostname).length,
    });
  },
  checks(_s, facts) {
    const { requests } = facts.figures;
    const d = facts.measurement.details;
    return [
      {
        name: "no-failed-requests",
        passed: requests.failed === 0,
        detail: `${requests.failed} of ${requests.sent} failed ${JSON.stringify(requests.errors)}`,
      },
      {
        name: "victim-out-of-rotation",
        passed: d.servedByVictimAfter3s === 0,
        detail: `${d.servedByVictimAfter3s} answers from ${d.victim} 3 s after the fault`,
      },
    ];
  },
};
