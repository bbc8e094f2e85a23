/**
 * The router holding the clients' gateway goes silent (blackhole): the other router must take
 * the gateway over by VRRP within the prediction, and because it has the same ECMP routes and
 * every L4 node the same Maglev table, established connections must survive the move.
 */
import { withinPrediction } from "../core/prediction-check";
import { nowMs } from "../core/proc";
import type { Injection, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { blackhole } from "../faults/blackhole";
import { connectionDetails, everyConnectionSurvived, settledFates } from "./checks";
import type { TierHost } from "./plan";
import type { ThreeTierSession } from "./session";

type RouterInjection = Injection & { readonly router: TierHost };

/** The router holding the gateway address now; undefined when none or several do. */
async function gatewayHolder(s: ThreeTierSession): Promise<TierHost | undefined> {
  const holders: TierHost[] = [];
  for (const r of s.plan.routers) {
    if ((await s.lab.addresses(r.hostname)).includes(s.plan.gateway)) holders.push(r);
  }
  return holders.length === 1 ? holders[0] : undefined;
}

/**
 * The router that has held the gateway alone for a second, waited for (bounded): the lab is
 * ready once the routes are, and the routers' VRRP may still be settling then (two masters for an
 * advert or two after start, seen beside a busy suite).
 */
async function steadyGatewayHolder(s: ThreeTierSession): Promise<TierHost | undefined> {
  let holder: TierHost | undefined;
  let since = 0;
  const steady = await waitUntil(
    async () => {
      const now = await gatewayHolder(s);
      if (now?.hostname !== holder?.hostname || now === undefined) {
        holder = now;
        since = nowMs();
        return false;
      }
      return nowMs() - since >= 1000;
    },
    15_000,
    100,
  );
  return steady === undefined ? undefined : holder;
}

export const ROUTER_LOSS: Scenario<ThreeTierSession, RouterInjection> = {
  name: "router-loss",
  description:
    "every packet to and from the router holding the clients' gateway dropped silently; the other router must take the gateway over, and established connections must survive",
  predicts: "router-loss",
  predictionMember: (s) => s.plan.routers[0]?.container.constructPath,
  async inject(s) {
    const router =
      (await steadyGatewayHolder(s)) ??
      s.fail(`not exactly one router held the gateway ${s.plan.gateway} for a second within 15 s`);
    s.env.say(`router-loss: ${router.hostname} holds ${s.plan.gateway}`);
    const f = await blackhole(s.lab, router.hostname);
    return { fault: f.description, atMs: f.atMs, router };
  },
  async measure(s, injection, prediction) {
    const others = s.plan.routers.filter((r) => r.hostname !== injection.router.hostname);
    const takenOver = async () => {
      for (const r of others)
        if ((await s.lab.addresses(r.hostname)).includes(s.plan.gateway)) return r.hostname;
      return undefined;
    };
    let by: string | undefined;
    const movedMs = await waitUntil(
      async () => {
        by = await takenOver();
        return by !== undefined;
      },
      s.bound(prediction),
      50,
    );
    const movedAt = movedMs === undefined ? undefined : nowMs();
    const connections = await settledFates(s, injection.atMs);
    return {
      measure: "restoredSeconds",
      details: {
        predictedSeconds: prediction?.recoverySeconds ?? null,
        gatewayOn: by ?? null,
        // Seen by polling the other routers' addresses: an upper bound, coarse on an emulated CPU.
        gatewayMovedSeconds: movedAt === undefined ? null : Math.round(movedAt - injection.atMs) / 1000,
        ...connectionDetails(connections),
      },
      highlights: [
        `gateway on ${by ?? "no other router"}`,
        `${connections.survived}/${connections.established} connections survived`,
      ],
    };
  },
  checks(_s, facts) {
    const d = facts.measurement.details as { predictedSeconds: number | null; gatewayOn: string | null };
    return [
      {
        name: "gateway-moved",
        passed: d.gatewayOn !== null,
        detail: `the gateway is on ${d.gatewayOn ?? "no other router"}`,
      },
      withinPrediction(
        "new-connections-restored",
        facts.figures.restoredSeconds,
        d.predictedSeconds ?? undefined,
      ),
      everyConnectionSurvived(facts),
    ];
  },
};
