/**
 * The VIP pair's proxy death: HAProxy killed on the master and held down; keepalived's track
 * script must notice and move the VIP.
 */
import type { Injection, Scenario } from "../core/scenario";
import { killProcess, pidFromFile, processRunning, supervisedProcess } from "../faults/process-kill";
import { noDuplicateVip, serviceRestored, vipMoved } from "./checks";
import { outcomeOf, vipMeasurement } from "./outcome";
import type { VipPairSession } from "./session";

const { pidFile: PID_FILE, holdFile: HOLD_FILE } = supervisedProcess("haproxy");

export const PROXY_DEATH: Scenario<VipPairSession, Injection & { readonly killedPids: number }> = {
  name: "proxy-death",
  description:
    "HAProxy killed on the master and held down (/run/ha/haproxy.hold); the track script must move the VIP",
  predicts: "proxy-process-death",
  predictionMember: (s) => s.master.container.constructPath,
  async inject(s) {
    const host = s.master.hostname;
    if ((await pidFromFile(s.lab, host, PID_FILE)) === undefined) s.fail(`no ${PID_FILE} on ${host}`);
    s.env.say(`killing HAProxy on ${host}`);
    const fault = await killProcess(s.lab, host, { pidFile: PID_FILE, holdFile: HOLD_FILE });
    return {
      fault: `HAProxy killed on the master ${host} (SIGKILL to its pidfile's process tree, held down by ${HOLD_FILE})`,
      atMs: fault.atMs,
      answeredBefore: s.master.loadBalancerName,
      killedPids: fault.killed,
    };
  },
  async measure(s, injection, prediction) {
    const bound = s.bound(prediction);
    await s.waitForAnswerFromOther(s.master.loadBalancerName, injection.atMs, bound);
    await s.waitForSteady(s.env.timings.settleSeconds * 1000, bound);
    return vipMeasurement(s, injection, "failoverSeconds", {
      killedPids: injection.killedPids,
      oldMasterState: (await s.stateOf(s.master.hostname)) ?? null,
      haproxyRestarted: await processRunning(s.lab, s.master.hostname, PID_FILE),
    });
  },
  checks(s, facts) {
    return [
      vipMoved(facts),
      serviceRestored(facts),
      noDuplicateVip(s, outcomeOf(facts.measurement.details).duplicateVip),
    ];
  },
};
