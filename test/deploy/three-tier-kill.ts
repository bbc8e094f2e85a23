/**
 * The kill drill of the three tiers on a real engine: find the tiers in the stack (roles and
 * hostnames from `ha-report.json`, the service address from the L4 nodes' keepalived config),
 * watch both routers' routes to the service address until they hold still, `docker kill` an L4
 * node, and measure until both routers dropped its next hop and clients through the gateway are
 * served again.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { EngineLab } from "../../lib/drill/engine/engine-lab";
import { HttpProbe, type ProbeAttempt } from "../../lib/drill/engine/http-probe";
import { RouteWatch } from "./route-watch";

const run = promisify(execFile);

/** The three tiers as the stack describes them (container names). */
export interface ThreeTierInStack {
  readonly service: string;
  readonly port: number;
  /** The routers' VRRP address, the clients' gateway to the service. */
  readonly gateway: string;
  readonly routers: readonly string[];
  readonly l4: readonly string[];
  readonly l7: readonly string[];
  readonly backends: readonly string[];
  /** The analysis' predicted recovery from losing an L4 node, in seconds. */
  readonly predictedL4Loss?: number;
}

interface Report {
  components: { id: string; hostname: string; role: string; topology: string }[];
  redundancyGroups: {
    role: string;
    topology: string;
    members: string[];
    predictions?: { fault: string; recoverySeconds: number }[];
  }[];
  floatingAddresses?: { address: string; topology: string }[];
}

/** The three-tier topologies of a deployed stack. */
export function threeTiersOf(lab: EngineLab): ThreeTierInStack[] {
  const report = JSON.parse(readFileSync(join(lab.stack.dir, "ha-report.json"), "utf8")) as Report;
  const name = (id: string) => {
    const host = report.components.find((c) => c.id === id)?.hostname;
    return lab.deployment.container(host ?? id).name;
  };
  const group = (role: string, topology: string) =>
    report.redundancyGroups.find(
      (g) => g.role === role && (g.topology === topology || g.topology.startsWith(`${topology}/`)),
    );
  return report.redundancyGroups
    .filter((g) => g.role === "l4-load-balancer")
    .map((l4) => {
      const routers = group("router", l4.topology);
      const l7 = group("l7-load-balancer", l4.topology);
      const gateway = report.floatingAddresses?.find((f) => f.topology === l4.topology)?.address;
      if (!routers || !l7 || !gateway)
        throw new Error(`${l4.topology}: no routers, L7 tier or gateway in the report`);
      const l4Names = l4.members.map(name);
      const conf = lab.stack.containers
        .find((c) => c.name === l4Names[0])
        ?.uploads.find((u) => u.file === "/etc/keepalived/keepalived.conf")?.content;
      const vs = /^virtual_server (\S+) (\d+)/m.exec(conf?.toString("utf8") ?? "");
      if (!vs) throw new Error(`${l4Names[0]}: no virtual_server in its keepalived config`);
      const backends = report.redundancyGroups
        .filter((g) => g.role === "backend")
        .flatMap((g) => g.members.map(name));
      const predicted = l4.predictions?.find((p) => p.fault === "l4-node-loss")?.recoverySeconds;
      return {
        service: vs[1] as string,
        port: Number(vs[2]),
        gateway,
        routers: routers.members.map(name),
        l4: l4Names,
        l7: l7.members.map(name),
        backends,
        ...(predicted !== undefined ? { predictedL4Loss: predicted } : {}),
      };
    });
}

async function containerPid(lab: EngineLab, name: string): Promise<number> {
  const s = await lab.deployment.client.json<{ State: { Pid: number } }>(
    "GET",
    `/containers/${encodeURIComponent(name)}/json`,
  );
  return s.State.Pid;
}

/**
 * The route of `router` to the service address as `ip route` shows it, read in the container's
 * network namespace from the engine's side (by its PID): a `docker exec` costs seconds of an
 * emulated CPU, starving the daemons under test.
 */
export async function routeOf(lab: EngineLab, router: string, service: string): Promise<string> {
  const pid = await containerPid(lab, router);
  // Asynchronous: the route watches stamp what they read on this process's event loop.
  const { stdout } = await run(
    "nsenter",
    [`--net=/proc/${pid}/ns/net`, "ip", "-4", "route", "show", `${service}/32`],
    {
      timeout: 30_000,
    },
  );
  return stdout;
}

/** The next hops of `router`'s route to the service address, sorted. */
export async function nextHops(lab: EngineLab, router: string, service: string): Promise<string[]> {
  const shown = await routeOf(lab, router, service);
  return [...shown.matchAll(/nexthop via (\S+)|^\S+ via (\S+)/gm)]
    .map((m) => (m[1] ?? m[2]) as string)
    .sort();
}

/** The address of each container of `names` on the stack's first network. */
export function addressesOf(lab: EngineLab, names: readonly string[]): string[] {
  return names.map((n) => Object.values(lab.deployment.container(n).addresses)[0] as string);
}

/** Polls until every router's next hops are `expected` (sorted); returns the seconds it took. */
export async function untilNextHops(
  lab: EngineLab,
  tier: ThreeTierInStack,
  expected: readonly string[],
  timeoutMs: number,
): Promise<number> {
  const t0 = Date.now();
  const want = [...expected].sort().join();
  let last: string[][] = [];
  while (Date.now() - t0 < timeoutMs) {
    last = await Promise.all(tier.routers.map((r) => nextHops(lab, r, tier.service)));
    if (last.every((h) => h.join() === want)) return (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `routers' next hops to ${tier.service} not ${want} within ${timeoutMs} ms: ${JSON.stringify(last)}`,
  );
}

/**
 * Probes `url` from `ns` until every name of `expected` answered in `header` with a 200 (new
 * connections from fresh source ports, so Maglev and ECMP spread them); at most `timeoutMs`.
 */
export async function answeredBy(
  ns: string,
  url: string,
  header: string,
  expected: readonly string[],
  timeoutMs: number,
): Promise<{ by: string[]; attempts: number; failed: number }> {
  const probe = HttpProbe.start(ns, url, { header, gapMs: 50, timeoutMs: 2_000, maxMs: timeoutMs + 30_000 });
  try {
    const by = new Set<string>();
    await probe.waitFor(
      (a) => {
        if (a.status === 200 && a.node) by.add(a.node);
        return expected.every((e) => by.has(e));
      },
      0,
      timeoutMs,
    );
    const failed = probe.attempts.filter((a) => a.status !== 200).length;
    return { by: [...by].sort(), attempts: probe.attempts.length, failed };
  } finally {
    await probe.stop();
  }
}

/** What the L4 kill drill measured. */
export interface L4KillResult {
  readonly killed: string;
  readonly survivors: readonly string[];
  /** How long the routes took to hold still (both next hops, no change for 5 s) before the kill. */
  readonly stableAfterSeconds: number;
  /** Route changes seen on the routers while waiting for that (flaps of the emulated CPU). */
  readonly flapsBeforeKill: number;
  /** When `docker kill` returned, after the kill. */
  readonly killReturnedSeconds: number;
  /** From `docker kill` until each router's route no longer had the killed node, by router. */
  readonly droppedSeconds: Readonly<Record<string, number>>;
  /** The later of those: both routers dropped it. */
  readonly routesDroppedSeconds: number;
  /** From `docker kill` until clients were served again: the first 200 after the last failure. */
  readonly servedAgainSeconds: number;
  /** Probes without an answer after the kill, of all until ten in a row were answered after the routes dropped it. */
  readonly failedProbes: number;
  readonly probesAfterKill: number;
  /** Which L7 nodes answered after the kill. */
  readonly answeredAfter: readonly string[];
  /** Each router's route changes from 10 s before the kill: seconds after it, `ip monitor`'s line. */
  readonly routeChanges: Readonly<Record<string, readonly string[]>>;
  /** The guest's load average just before the kill. */
  readonly loadBefore: string;
}

/**
 * Waits until every watch shows `hops` unchanged for `quietMs`; returns when, and how many
 * changes came in the meantime. An emulated CPU starves BFD's 100 ms timers now and then.
 */
async function untilStable(
  watches: readonly RouteWatch[],
  hops: readonly string[],
  quietMs: number,
  timeoutMs: number,
): Promise<{ seconds: number; flaps: number }> {
  const t0 = Date.now();
  const want = [...hops].sort().join();
  const count = () => watches.reduce((n, w) => n + w.states.length, 0);
  const before = count();
  for (;;) {
    const now = Date.now();
    if (watches.every((w) => w.last?.hops.join() === want && now - w.last.t >= quietMs))
      return { seconds: (now - t0) / 1000, flaps: count() - before };
    if (now - t0 > timeoutMs) {
      const states = watches.map((w) => w.states.slice(-6).map((x) => `${x.t - t0} ${x.line}`));
      throw new Error(
        `the routes to the service did not hold still over ${want} for ${quietMs} ms within ${timeoutMs} ms (emulated CPU): ${JSON.stringify(states)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Kills the L4 node `killed` while clients in `clientNs` probe the service through the gateway,
 * once the routes hold still, and measures until both routers route to the survivors only and
 * clients are served again.
 */
export async function killL4Node(
  lab: EngineLab,
  tier: ThreeTierInStack,
  killed: string,
  clientNs: string,
): Promise<L4KillResult> {
  const survivors = tier.l4.filter((n) => n !== killed);
  const [killedHop] = addressesOf(lab, [killed]);
  const allHops = addressesOf(lab, tier.l4);
  const watches = await Promise.all(
    tier.routers.map(async (r) => new RouteWatch(await containerPid(lab, r), tier.service)),
  );
  const url = `http://${tier.service}:${tier.port}/`;
  const probe = HttpProbe.start(clientNs, url, {
    header: "X-Load-Balancer",
    gapMs: 20,
    timeoutMs: 1_000,
    maxMs: 300_000,
  });
  try {
    // The monitors print changes only: the route as it is now comes from the routers.
    await new Promise((r) => setTimeout(r, 1_000));
    await untilNextHops(lab, tier, allHops, 120_000);
    for (const w of watches) if (w.states.length === 0) w.seed(allHops);
    const stable = await untilStable(watches, allHops, 5_000, 120_000);
    await probe.waitFor((a) => a.status === 200, Date.now() - 1_000, 60_000);
    const loadBefore = readFileSync("/proc/loadavg", "utf8").trim();
    const killedAt = Date.now();
    await lab.deployment.kill(killed);
    const killReturned = Date.now();
    await untilNextHops(lab, tier, addressesOf(lab, survivors), 120_000);
    const droppedAt = watches.map(
      (w) => w.states.find((x) => x.t >= killedAt && !x.hops.includes(killedHop ?? ""))?.t,
    );
    if (droppedAt.some((t) => t === undefined))
      throw new Error(`a router's route changed without its monitor seeing it: ${JSON.stringify(droppedAt)}`);
    const routesDroppedAt = Math.max(...(droppedAt as number[]));
    // Served again: ten answers in a row once both routers dropped it (the probes before that
    // hash to either L4 node, one in two to the dead one).
    const streak = await untilStreak(probe, routesDroppedAt, 10, 120_000);
    const after = probe.attempts.filter((a) => a.t >= killedAt && a.t <= streak.t);
    const failures = after.filter((a) => a.status !== 200);
    const lastFailure = failures.at(-1)?.t;
    const servedAgain =
      lastFailure === undefined ? killedAt : (after.find((a) => a.t > lastFailure) as ProbeAttempt).t;
    const seconds = (t: number) => Math.round(t - killedAt) / 1000;
    return {
      killed,
      survivors,
      stableAfterSeconds: stable.seconds,
      flapsBeforeKill: stable.flaps,
      killReturnedSeconds: seconds(killReturned),
      droppedSeconds: Object.fromEntries(tier.routers.map((r, i) => [r, seconds(droppedAt[i] as number)])),
      routesDroppedSeconds: seconds(routesDroppedAt),
      servedAgainSeconds: seconds(servedAgain),
      failedProbes: failures.length,
      probesAfterKill: after.length,
      answeredAfter: [...new Set(after.filter((a) => a.status === 200).map((a) => String(a.node)))].sort(),
      routeChanges: Object.fromEntries(
        tier.routers.map((r, i) => [
          r,
          (watches[i] as RouteWatch).states
            .filter((x) => x.t >= killedAt - 10_000)
            .map((x) => `${seconds(x.t).toFixed(3)} ${x.line} [${x.hops.join(" ")}]`),
        ]),
      ),
      loadBefore,
    };
  } finally {
    await probe.stop();
    for (const w of watches) w.stop();
  }
}
/** Waits until `n` attempts in a row after `since` were answered; returns the last of them. */
async function untilStreak(
  probe: HttpProbe,
  since: number,
  n: number,
  timeoutMs: number,
): Promise<ProbeAttempt> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const after = probe.attempts.filter((a) => a.t >= since);
    let run = 0;
    for (const a of after) {
      run = a.status === 200 ? run + 1 : 0;
      if (run >= n) return a;
    }
    if (Date.now() >= deadline)
      throw new Error(`no ${n} answers in a row within ${timeoutMs} ms of the kill`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
