/**
 * An L4 node goes silent (blackhole: no refusal, no FIN; only BFD can tell), and an L4 node comes
 * back after one. The routers must drop it, or take it again, while every established connection
 * lives on: the flows ECMP moves meet the same Maglev table on the other L4 nodes, which send each
 * to the L7 node that holds it.
 */
import { withinPrediction } from "../core/prediction-check";
import { nowMs, sleep } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { blackhole } from "../faults/blackhole";
import {
  connectionDetails,
  everyConnectionSurvived,
  faultFailures,
  newConnectionsServed,
  noRequestFailed,
  routeChangesFrom,
  routerSessionChanges,
  settledFates,
} from "./checks";
import type { TierHost } from "./plan";
import type { ThreeTierSession } from "./session";

/**
 * `appliedMs`: when the fault's command had returned, so that it was in effect; `atMs` is taken
 * before it starts, and on an emulated CPU the command alone takes a second or more.
 */
type L4Injection = Injection & { readonly node: TierHost; readonly appliedMs: number };

function firstL4(s: ThreeTierSession): TierHost {
  const node = s.plan.l4Nodes[0];
  if (!node) s.fail("the tiers have no L4 node");
  return node;
}

function seconds(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms) / 1000;
}

export const L4_NODE_BLACKHOLE: Scenario<ThreeTierSession, L4Injection> = {
  name: "l4-node-blackhole",
  description:
    "every packet to and from the first L4 node dropped silently; BFD must take it out of every router's ECMP route, and established connections must survive",
  predicts: "l4-node-loss",
  predictionMember: (s) => s.plan.l4Nodes[0]?.container.constructPath,
  async inject(s) {
    const node = firstL4(s);
    s.env.say(`l4-node-blackhole: ${node.hostname} (${node.address})`);
    const f = await blackhole(s.lab, node.hostname);
    return { fault: f.description, atMs: f.atMs, node, appliedMs: nowMs() };
  },
  async measure(s, injection, prediction) {
    await s.waitForRoutes([injection.node], s.bound(prediction));
    // From when the blackhole was surely in effect; the command's own time is reported beside it.
    const withdrawn = s.routes.heldSince(
      injection.appliedMs,
      (hops) => !hops.includes(injection.node.address),
    );
    // The rules took effect somewhere in the command's run (seconds on a busy emulated CPU): from
    // its start, the most withdrawal can have taken; 0 above means it was done before the command.
    const fromStart = s.routes.heldSince(injection.atMs, (hops) => !hops.includes(injection.node.address));
    const connections = await settledFates(s, injection.atMs);
    const withdrawnSeconds = seconds(withdrawn);
    const faultCommandSeconds = seconds(injection.appliedMs - injection.atMs);
    return {
      measure: "withdrawnSeconds",
      details: {
        withdrawnSeconds,
        withdrawnFromCommandStartSeconds: seconds(fromStart),
        faultCommandSeconds,
        predictedSeconds: prediction?.recoverySeconds ?? null,
        sessionChanges: routerSessionChanges(s, injection.atMs),
        ...connectionDetails(connections),
      },
      highlights: [
        `out of every router's route after ${withdrawnSeconds ?? "never"} s (${seconds(fromStart) ?? "never"} s from the start of the fault's command, which took ${faultCommandSeconds} s)`,
        `${connections.survived}/${connections.established} connections survived`,
      ],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as {
      withdrawnSeconds: number | null;
      predictedSeconds: number | null;
    };
    return [
      withinPrediction("routes-withdrawn", d.withdrawnSeconds, d.predictedSeconds ?? undefined),
      everyConnectionSurvived(facts),
      newConnectionsServed(facts),
    ];
  },
};

export const L4_NODE_RETURN: Scenario<ThreeTierSession, L4Injection> = {
  name: "l4-node-return",
  description:
    "the first L4 node silenced until every router dropped it and its own checks failed, then let back; measured from its return: the routers take it again once its checks pass, no new connection fails and established connections survive the flows moving back",
  predictionMember: (s) => s.plan.l4Nodes[0]?.container.constructPath,
  async inject(s) {
    const node = firstL4(s);
    const f = await blackhole(s.lab, node.hostname);
    if (!(await s.waitForRoutes([node], 30_000))) s.fail(`${node.hostname} was never withdrawn`);
    // Cut off long enough for its own checks to find every L7 node unreachable (an outage, not a
    // blip): it must come back only once they pass again. The gate covers a blip by a hold-down.
    const inhibited = async () => {
      const r = await s.lab.exec(node.hostname, ["ipvsadm", "-Ln"], {
        allowFailure: true,
        timeoutMs: 10_000,
      });
      const weights = [...r.stdout.matchAll(/^\s+->\s+\S+\s+\S+\s+(\d+)/gm)].map((m) => Number(m[1]));
      return r.code === 0 && weights.length > 0 && weights.every((w) => w === 0);
    };
    // Polled every half second: on an emulated CPU each ipvsadm costs enough to starve the clients.
    if ((await waitUntil(inhibited, 30_000, 500)) === undefined) {
      s.fail(`${node.hostname}'s checks never set its L7 nodes' weights to 0 while it was cut off`);
    }
    await sleep(1000);
    // The return is measured against a steady service: a request the cut (or a starved client)
    // failed before it must have ended, so that what fails from here on is the return's.
    if ((await waitUntil(() => s.servedSteadily(10), 30_000, 50)) === undefined) {
      s.fail(
        `new connections were not served steadily by the other L4 nodes while ${node.hostname} was cut off`,
      );
    }
    s.env.say(`${node.hostname} is out of every route and its checks failed; letting it back`);
    const atMs = nowMs();
    await f.heal();
    return {
      fault: `${node.hostname} silenced (blackhole) until withdrawn, then let back; measured from its return`,
      atMs,
      node,
      appliedMs: nowMs(),
    };
  },
  async measure(s, injection) {
    // BGP opens again after BIRD's connect retry and error wait (1 s each), then BFD comes up.
    await s.waitForRoutes([], 60_000);
    const returned = s.routes.heldSince(injection.appliedMs, (hops) => hops.includes(injection.node.address));
    const connections = await settledFates(s, injection.atMs);
    const returnedSeconds = seconds(returned);
    // Every change of the routers' next hops from the return on: what a failed return did to them.
    const routeChanges = routeChangesFrom(s, injection.atMs);
    // The first moment any router routed to the node again: before it, the return cannot have
    // failed a request that was already in flight on the other nodes when it began.
    const routedMs = s.routes.events.find(
      (e) => e.t >= injection.atMs && e.nextHops.includes(injection.node.address),
    )?.t;
    const failures = faultFailures(s.client.records, injection.atMs, routedMs);
    // New connections that failed, per second from the return (the first 30 s).
    const failedBySecond = Array.from({ length: 30 }, () => 0);
    for (const r of s.client.records) {
      const second = Math.floor((r.startMs - injection.atMs) / 1000);
      if (r.outcome !== "ok" && second >= 0 && second < 30) failedBySecond[second] += 1;
    }
    return {
      measure: "returnedSeconds",
      details: {
        returnedSeconds,
        // How long lifting the blackhole took (its nft commands; seconds on a busy emulated CPU).
        healSeconds: seconds(injection.appliedMs - injection.atMs),
        routeChanges,
        sessionChanges: routerSessionChanges(s, injection.atMs),
        failedBySecond,
        failedFromReturn: failures.fromFault,
        failedBeforeRoutesMoved: failures.beforeRoutesMoved,
        ...connectionDetails(connections),
      },
      highlights: [
        `back in every router's route after ${returnedSeconds ?? "never"} s`,
        `${connections.survived}/${connections.established} connections survived`,
      ],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as {
      returnedSeconds: number | null;
      failedFromReturn: number;
      failedBeforeRoutesMoved: number;
    };
    return [
      {
        name: "routes-back",
        passed: d.returnedSeconds !== null,
        detail: `back in every router's route after ${d.returnedSeconds ?? "never (within 60 s)"} s`,
      },
      everyConnectionSurvived(facts),
      noRequestFailed(
        facts,
        { fromFault: d.failedFromReturn, beforeRoutesMoved: d.failedBeforeRoutesMoved },
        "from the return on",
        "failed before any route took the node again, on the other nodes",
      ),
    ];
  },
};
