/**
 * A name server dies (every process killed): the other servers keep answering, and a client
 * whose resolv.conf lists every server keeps resolving (its resolver waits `timeout` for the dead
 * one, then asks the next).
 */

import { nowMs, sleep } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import type { DnsPoolSession } from "./session";

export const DNS_SERVER_LOSS: Scenario<DnsPoolSession, Injection> = {
  name: "dns-server-loss",
  description:
    "the first name server killed; the others must keep answering and a resolver with every server in resolv.conf must keep resolving",
  predicts: "dns-server-loss",
  predictionMember: (s) => s.plan.servers[0]?.container.constructPath,
  async inject(s) {
    const server = s.plan.servers[0];
    if (!server || s.plan.servers.length < 2) s.fail("the pool has one name server: nothing to fail over to");
    s.env.say(`killing name server ${server.hostname}`);
    const atMs = nowMs();
    await s.lab.killHost(server.hostname);
    return { fault: `name server ${server.hostname} killed (every process, SIGKILL)`, atMs };
  },
  async measure(s, injection) {
    // Long enough for the resolver to meet the dead server several times.
    await sleep(4000);
    const after = <T extends { startMs: number }>(rs: readonly T[]) =>
      rs.filter((r) => r.startMs >= injection.atMs);
    const others = s.direct.slice(1).map((c) => after(c.records));
    const resolver = after(s.client.records);
    const slowest = Math.max(0, ...resolver.map((r) => r.endMs - r.startMs));
    return {
      measure: "restoredSeconds",
      details: {
        otherServersQueries: others.reduce((n, rs) => n + rs.length, 0),
        otherServersFailed: others.reduce((n, rs) => n + rs.filter((r) => r.outcome !== "ok").length, 0),
        resolverQueries: resolver.length,
        resolverFailed: resolver.filter((r) => r.outcome !== "ok").length,
        slowestResolutionSeconds: Math.round(slowest) / 1000,
        answeredBy: [...new Set(resolver.map((r) => r.answeredBy).filter((x) => x !== undefined))],
      },
      highlights: [`slowest resolution ${Math.round(slowest)} ms`],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as Record<string, number>;
    return [
      {
        name: "other-servers-answer",
        passed: d.otherServersQueries > 0 && d.otherServersFailed === 0,
        detail: `${d.otherServersFailed} of ${d.otherServersQueries} queries to the other servers failed`,
      },
      {
        name: "resolver-keeps-resolving",
        passed: d.resolverQueries > 0 && d.resolverFailed === 0,
        detail: `${d.resolverFailed} of ${d.resolverQueries} resolutions failed; slowest ${d.slowestResolutionSeconds} s`,
      },
    ];
  },
};
