/**
 * Every member's proxy dies: the name must give the configured all-unhealthy answer (every
 * member, fail open; no address, fail closed; or the fallback addresses) on every server.
 */
import type { Injection, Scenario } from "../core/scenario";
import { killProcess } from "../faults/process-kill";
import { withinPrediction } from "./checks";
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
    // Fail open answers every member before and after: wait for the checks to have failed first.
    const wait = s.bound(prediction);
    await s.waitUntilSettled(expected, 1000, wait);
    const perServer = s.settledSeconds(injection.atMs, expected);
    const answeredSeconds = perServer.some((x) => x === null) ? null : Math.max(...(perServer as number[]));
    const last = s.direct.map((c) => c.records[c.records.length - 1]);
    return {
      measure: "answeredSeconds",
      details: {
        allUnhealthy: choice.kind,
        expectedAnswer: want,
        answeredSeconds,
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
      allUnhealthy: string;
      answeredSeconds: number | null;
      predictedSeconds: number | null;
      expectedAnswer: string[];
    };
    // Failing open, the answer never changes: it must still be every member at the end.
    const timing =
      d.allUnhealthy === "all"
        ? {
            name: "answers-every-member",
            passed: d.answeredSeconds !== null,
            detail: `answer ${d.expectedAnswer.join(", ")}`,
          }
        : withinPrediction("all-unhealthy-answer", d.answeredSeconds, d.predictedSeconds ?? undefined);
    return [timing];
  },
};
