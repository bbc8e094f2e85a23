/**
 * An L7 node's HAProxy dies (SIGKILL, held down): the connections it held end, as the analysis
 * says; every L4 node's check must set it aside so that new connections are served again within
 * the prediction, and the connections held by the other L7 nodes must live on.
 */
import { withinPrediction } from "../core/prediction-check";
import type { DrillCheck, Injection, Scenario } from "../core/scenario";
import { killProcess, supervisedProcess } from "../faults/process-kill";
import {
  connectionDetails,
  fatesOf,
  newConnectionsServed,
  routerSessionChanges,
  settledFates,
} from "./checks";
import type { ThreeTierSession } from "./session";

const L7_PROXY = supervisedProcess("haproxy");

export const L7_NODE_LOSS: Scenario<ThreeTierSession, Injection & { readonly hostname: string }> = {
  name: "l7-node-loss",
  description:
    "HAProxy killed on the first L7 node and held down; the L4 checks must set the node aside, and connections on the other L7 nodes must survive",
  predicts: "l7-node-loss",
  predictionMember: (s) => s.plan.l7Nodes[0]?.container.constructPath,
  async inject(s) {
    const node = s.plan.l7Nodes[0];
    if (!node) s.fail("the tiers have no L7 node");
    s.env.say(`l7-node-loss: ${node.hostname}`);
    const f = await killProcess(s.lab, node.hostname, L7_PROXY);
    return {
      fault: `HAProxy killed on ${node.hostname} (${f.description})`,
      atMs: f.atMs,
      hostname: node.hostname,
    };
  },
  async measure(s, injection, prediction) {
    const connections = await settledFates(s, injection.atMs);
    return {
      measure: "restoredSeconds",
      details: {
        predictedSeconds: prediction?.recoverySeconds ?? null,
        lostNode: injection.hostname,
        // None is expected: the L4 nodes keep announcing while the other L7 nodes pass their checks.
        sessionChanges: routerSessionChanges(s, injection.atMs),
        ...connectionDetails(connections),
      },
      highlights: [`${connections.broken}/${connections.established} connections broken (on the lost node)`],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as { predictedSeconds: number | null; lostNode: string };
    const f = fatesOf(facts);
    const others = Object.entries(f.byNode).filter(([node]) => node !== d.lostNode);
    const brokenElsewhere = others.reduce((n, [, c]) => n + c.broken, 0);
    const survivorsElsewhere = others.reduce((n, [, c]) => n + c.established - c.broken, 0);
    const elsewhere: DrillCheck = {
      name: "other-l7-connections-survive",
      passed: brokenElsewhere === 0 && survivorsElsewhere > 0 && f.changedNode === 0,
      detail: `${survivorsElsewhere} connections on the other L7 nodes survived, ${brokenElsewhere} broken; ${f.byNode[d.lostNode]?.broken ?? 0} of ${f.byNode[d.lostNode]?.established ?? 0} on ${d.lostNode} ended with it`,
    };
    return [
      withinPrediction(
        "new-connections-restored",
        facts.figures.restoredSeconds,
        d.predictedSeconds ?? undefined,
      ),
      elsewhere,
      newConnectionsServed(facts),
    ];
  },
};
