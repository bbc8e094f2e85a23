/**
 * An operator drains an L4 node (the documented drain file): its gate withdraws the routes first
 * and the node keeps forwarding what still reaches it, so no connection breaks and no request
 * fails; the routers stop using it within a gate round and a BGP update.
 */
import { nowMs } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import {
  connectionDetails,
  everyConnectionSurvived,
  faultFailures,
  noRequestFailed,
  routeChangesFrom,
  routerSessionChanges,
  settledFates,
} from "./checks";
import type { TierHost } from "./plan";
import type { ThreeTierSession } from "./session";

/** The file whose presence drains an L4 node (the gate withdraws its routes). */
export const DRAIN_FILE = "/run/ha/drain";

export const L4_NODE_DRAIN: Scenario<ThreeTierSession, Injection & { readonly node: TierHost }> = {
  name: "l4-node-drain",
  description: `${DRAIN_FILE} written on the first L4 node; its routes must be withdrawn with no connection broken and no request failed`,
  predicts: "l4-node-drain",
  predictionMember: (s) => s.plan.l4Nodes[0]?.container.constructPath,
  async inject(s) {
    const node = s.plan.l4Nodes[0];
    if (!node) s.fail("the tiers have no L4 node");
    s.env.say(`l4-node-drain: ${node.hostname}`);
    const atMs = nowMs();
    await s.lab.writeFile(node.hostname, DRAIN_FILE, "ha-drill\n");
    return { fault: `${DRAIN_FILE} written on ${node.hostname}`, atMs, node };
  },
  async measure(s, injection) {
    await s.waitForRoutes([injection.node], 30_000);
    const withdrawn = s.routes.heldSince(injection.atMs, (hops) => !hops.includes(injection.node.address));
    const connections = await settledFates(s, injection.atMs);
    const withdrawnSeconds = withdrawn === undefined ? null : Math.round(withdrawn) / 1000;
    // Until a router first drops the node, the drain has changed nothing on any packet's path (the
    // node forwards as before): a request begun before it that failed by then is not the drain's.
    const movedMs = s.routes.events.find(
      (e) => e.t >= injection.atMs && !e.nextHops.includes(injection.node.address),
    )?.t;
    const failures = faultFailures(s.client.records, injection.atMs, movedMs);
    return {
      measure: "restoredSeconds",
      details: {
        withdrawnSeconds,
        // From 10 s before: a drain should change only the drained node's sessions' routes, none
        // of the sessions themselves; a session lost around it tells why connections broke.
        sessionChanges: routerSessionChanges(s, injection.atMs, 10_000),
        routeChanges: routeChangesFrom(s, injection.atMs),
        failedFromDrain: failures.fromFault,
        failedBeforeRoutesMoved: failures.beforeRoutesMoved,
        ...connectionDetails(connections),
      },
      highlights: [
        `withdrawn after ${withdrawnSeconds ?? "never"} s`,
        `${connections.survived}/${connections.established} connections survived`,
      ],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as {
      withdrawnSeconds: number | null;
      failedFromDrain: number;
      failedBeforeRoutesMoved: number;
    };
    return [
      {
        name: "routes-withdrawn",
        passed: d.withdrawnSeconds !== null,
        detail: `out of every router's route after ${d.withdrawnSeconds ?? "never (within 30 s)"} s`,
      },
      everyConnectionSurvived(facts),
      noRequestFailed(
        facts,
        { fromFault: d.failedFromDrain, beforeRoutesMoved: d.failedBeforeRoutesMoved },
        "from the drain on",
        "failed before any router dropped the node, which forwarded as before",
      ),
    ];
  },
};
