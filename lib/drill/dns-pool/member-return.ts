/**
 * A member returns: its proxy killed and held down until it has left the answers, then let go
 * (the supervisor starts it again); from the moment it runs, it must be back in every server's
 * answers within the prediction.
 */

import { withinPrediction } from "../core/prediction-check";
import { nowMs } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { killProcess, processRunning } from "../faults/process-kill";
import { MEMBER_PROXY } from "./plan";
import type { DnsPoolSession } from "./session";

export const MEMBER_RETURN: Scenario<DnsPoolSession, Injection & { readonly address: string }> = {
  name: "member-return",
  description:
    "HAProxy on the first member killed until it leaves the answers, then started again; it must be back in every server's answers",
  predicts: "member-return",
  predictionMember: (s) => s.plan.members[0]?.container.constructPath,
  async inject(s) {
    const member = s.plan.members[0];
    if (!member) s.fail("the pool has no member");
    const f = await killProcess(s.lab, member.hostname, MEMBER_PROXY);
    const gone = (r: { outcome: string; answers?: readonly string[] }) =>
      r.outcome === "ok" && !(r.answers ?? []).includes(member.address);
    if (!(await s.waitUntilSettled(gone, 500, 15_000))) s.fail(`${member.hostname} never left the answers`);
    s.env.say(`${member.hostname} is out of the answers; starting its HAProxy again`);
    await f.heal();
    const running = () => processRunning(s.lab, member.hostname, MEMBER_PROXY.pidFile);
    if ((await waitUntil(running, 15_000, 10)) === undefined)
      s.fail(`HAProxy did not start again on ${member.hostname}`);
    return {
      fault: `HAProxy on ${member.hostname} killed, then started again once out of the answers; measured from its start`,
      atMs: nowMs(),
      address: member.address,
    };
  },
  async measure(s, injection, prediction) {
    const all = s.allMembers.join(",");
    const back = (r: { outcome: string; answers?: readonly string[] }) =>
      r.outcome === "ok" && (r.answers ?? []).join(",") === all;
    await s.waitUntilSettled(back, 1000, s.bound(prediction));
    const perServer = s.settledSeconds(injection.atMs, back);
    const returnedSeconds = perServer.some((x) => x === null) ? null : Math.max(...(perServer as number[]));
    return {
      measure: "returnedSeconds",
      details: {
        returnedSeconds,
        predictedSeconds: prediction?.recoverySeconds ?? null,
        returnedSecondsPerServer: Object.fromEntries(
          s.plan.servers.map((x, i) => [x.hostname, perServer[i] ?? null]),
        ),
      },
      highlights: [`back in the answers after ${returnedSeconds ?? "never"} s`],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as {
      returnedSeconds: number | null;
      predictedSeconds: number | null;
    };
    return [
      withinPrediction("back-in-every-servers-answers", d.returnedSeconds, d.predictedSeconds ?? undefined),
    ];
  },
};
