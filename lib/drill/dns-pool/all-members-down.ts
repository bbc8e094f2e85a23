/**
 * Every member's proxy dies: the name must give the configured all-unhealthy answer (every
 * member, fail open; no address, fail closed; or the fallback addresses) on every server.
 */

import { withinPrediction } from "../core/prediction-check";
import { nowMs } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { killProcess } from "../faults/process-kill";
import { MEMBER_PROXY } from "./plan";
import type { DnsPoolSession } from "./session";

export const ALL_MEMBERS_DOWN: Scenario<DnsPoolSession, Injection> = {
  name: "all-members-down",
  description: "HAProxy killed on every member; every server must give the configured all-unhealthy answer",
  predicts: "all-members-down",
  predictionMember: (s) => s.plan.members[0]?.container.constructPath,
  async inject(s) {
    let atMs = 0;
    for (const m of s.plan.members) atMs = (await killProcess(s.lab, m.hostname, MEMBER_PROXY)).atMs;
    return { fault: `HAProxy killed on all ${s.plan.members.length} members, held down`, atMs };
  },
  async measure(s, injection, prediction) {
    const choice = s.plan.allUnhealthy;
    const want = choice.kind === "all" ? s.allMembers : choice.kind === "fallback" ? choice.addresses : [];
    const expected = (r: { outcome: string; answers?: readonly string[] }) =>
      r.outcome === (choice.kind === "none" ? "empty" : "ok") &&
      (r.answers ?? []).join(",") === want.join(",");
    const wait = s.bound(prediction);
    // Failing open, the answer is every member before and after the fault: what shows the checks
    // failed is each server's log declaring every member down.
    const declared = await waitUntil(
      () => s.plan.servers.every((x) => allDeclaredDown(s, x.hostname)),
      wait,
      20,
    );
    // Taken now: the wait for settled answers below is the drill's, not the servers' time.
    const declaredAtMs = nowMs();
    await s.waitUntilSettled(expected, 1000, wait);
    const perServer = s.settledSeconds(injection.atMs, expected);
    const settled = perServer.some((x) => x === null) ? null : Math.max(...(perServer as number[]));
    const downSeconds = declared === undefined ? null : Math.round(declaredAtMs - injection.atMs) / 1000;
    const answeredSeconds = choice.kind === "all" ? (settled === null ? null : downSeconds) : settled;
    const last = s.direct.map((c) => c.records[c.records.length - 1]);
    return {
      measure: "answeredSeconds",
      details: {
        allUnhealthy: choice.kind,
        expectedAnswer: want,
        answeredSeconds,
        everyMemberDeclaredDownSeconds: downSeconds,
        predictedSeconds: prediction?.recoverySeconds ?? null,
        lastAnswers: Object.fromEntries(
          s.plan.servers.map((x, i) => [
            x.hostname,
            { outcome: last[i]?.outcome ?? null, answers: last[i]?.answers ?? [] },
          ]),
        ),
      },
      highlights: [`${choice.kind} answer after ${answeredSeconds ?? "never"} s`],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as {
      answeredSeconds: number | null;
      everyMemberDeclaredDownSeconds: number | null;
      predictedSeconds: number | null;
    };
    return [
      {
        name: "every-server-declared-every-member-down",
        passed: d.everyMemberDeclaredDownSeconds !== null,
        detail: `after ${d.everyMemberDeclaredDownSeconds ?? "never"} s`,
      },
      withinPrediction("all-unhealthy-answer", d.answeredSeconds, d.predictedSeconds ?? undefined),
    ];
  },
};

/**
 * true when `server`'s log says every member is down: PowerDNS logs "LUA record monitoring
 * declaring <address> DOWN for URL ..." (ifurlup) or "... declaring TCP/IP <address>:<port> DOWN"
 * (ifportup) when a check fails after passing.
 */
function allDeclaredDown(s: DnsPoolSession, server: string): boolean {
  const log = s.lab.logTail(server, 2000);
  return s.plan.members.every((m) => {
    const at = log.lastIndexOf(`declaring ${m.address} DOWN`);
    const tcp = log.lastIndexOf(`declaring TCP/IP ${m.address}:`);
    const down = Math.max(at, tcp >= 0 && log.indexOf(" DOWN", tcp) >= 0 ? tcp : -1);
    // Down after its last "UP" line.
    return down >= 0 && down > log.lastIndexOf(`${m.address} UP`);
  });
}
