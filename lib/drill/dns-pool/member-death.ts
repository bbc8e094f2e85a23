/**
 * A member's proxy dies (SIGKILL, held down) or its link goes silent (blackhole): it must leave
 * every server's answers within the prediction, and what the servers still answer must serve.
 */

import { withinPrediction } from "../core/prediction-check";
import type { Injection, Scenario } from "../core/scenario";
import { blackhole } from "../faults/blackhole";
import { killProcess } from "../faults/process-kill";
import { answeredServe, answeredServeCheck } from "./checks";
import { MEMBER_PROXY } from "./plan";
import type { DnsPoolSession } from "./session";

type MemberInjection = Injection & { readonly address: string };

function memberLeaves(
  name: string,
  description: string,
  predicts: string,
  inject: (s: DnsPoolSession, hostname: string) => Promise<{ description: string; atMs: number }>,
): Scenario<DnsPoolSession, MemberInjection> {
  return {
    name,
    description,
    predicts,
    predictionMember: (s) => s.plan.members[0]?.container.constructPath,
    async inject(s) {
      const member = s.plan.members[0];
      if (!member) s.fail("the pool has no member");
      s.env.say(`${name}: ${member.hostname} (${member.address})`);
      const fault = await inject(s, member.hostname);
      return { fault: fault.description, atMs: fault.atMs, address: member.address };
    },
    async measure(s, injection, prediction) {
      const gone = (r: { outcome: string; answers?: readonly string[] }) =>
        r.outcome === "ok" && !(r.answers ?? []).includes(injection.address);
      await s.waitUntilSettled(gone, 1000, s.bound(prediction));
      const perServer = s.settledSeconds(injection.atMs, gone);
      const removedSeconds = perServer.some((x) => x === null) ? null : Math.max(...(perServer as number[]));
      const serving = await answeredServe(s);
      return {
        measure: "removedSeconds",
        details: {
          removedSeconds,
          predictedSeconds: prediction?.recoverySeconds ?? null,
          removedSecondsPerServer: Object.fromEntries(
            s.plan.servers.map((x, i) => [x.hostname, perServer[i] ?? null]),
          ),
          answeredAfter: serving.addresses,
          notServing: serving.failing,
        },
        highlights: [`out of the answers after ${removedSeconds ?? "never"} s`],
      };
    },
    checks(_s, facts) {
      const d = facts.measurement.details as {
        removedSeconds: number | null;
        predictedSeconds: number | null;
        answeredAfter: string[];
        notServing: string[];
      };
      return [
        withinPrediction("left-every-servers-answers", d.removedSeconds, d.predictedSeconds ?? undefined),
        answeredServeCheck({ addresses: d.answeredAfter, failing: d.notServing }),
      ];
    },
  };
}

export const MEMBER_PROXY_DEATH = memberLeaves(
  "member-proxy-death",
  "HAProxy killed on the first member and held down; the member must leave every server's answers",
  "member-proxy-death",
  async (s, host) => {
    const f = await killProcess(s.lab, host, MEMBER_PROXY);
    return { description: `HAProxy killed on ${host} (${f.description})`, atMs: f.atMs };
  },
);

export const MEMBER_BLACKHOLE = memberLeaves(
  "member-blackhole",
  "every packet to and from the first member dropped (no refusal); it must leave every server's answers after the probe timeout",
  "member-blackhole",
  async (s, host) => {
    const f = await blackhole(s.lab, host);
    return { description: f.description, atMs: f.atMs };
  },
);
