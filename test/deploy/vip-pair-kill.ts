/**
 * The kill drill of a VIP pair on a real engine: find the pair in the stack (the containers
 * that upload a keepalived config), see which node holds the VIP, `docker kill` it, and measure
 * until the VIP answers through the other node, seen from a client on the stack's network.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineLab } from "../../lib/drill/engine/engine-lab";
import { HttpProbe } from "../../lib/drill/engine/http-probe";

/** A VIP pair as the stack describes it. */
export interface VipPairInStack {
  readonly vip: string;
  readonly port: number;
  /** Container names of the nodes. */
  readonly nodes: readonly string[];
  /** Header by which the HAProxy of each node names itself. */
  readonly nodeHeader: string;
}

/**
 * The VIP pairs of a deployed stack, from the floating addresses its `ha-report.json` lists
 * (address, listener port, the topology whose nodes hold it): the keepalived config names no
 * VIP itself where a claim script adds the address after its duplicate-address probe.
 */
export function vipPairsOf(lab: EngineLab): VipPairInStack[] {
  const report = JSON.parse(readFileSync(join(lab.stack.dir, "ha-report.json"), "utf8")) as {
    floatingAddresses?: Array<{ address: string; topology: string; listenerPorts: number[] }>;
    redundancyGroups?: Array<{ topology: string; role: string }>;
  };
  // A VIP pair's address: its topology has a load-balancer group (a database's routers share
  // an address too, drilled by postgres-kill.ts).
  const pairs = new Set(
    (report.redundancyGroups ?? []).filter((g) => g.role === "load-balancer").map((g) => g.topology),
  );
  return (report.floatingAddresses ?? [])
    .filter((f) => pairs.has(f.topology))
    .map((f) => ({
      vip: f.address,
      port: f.listenerPorts[0] ?? 80,
      nodes: lab.stack.containers
        .filter(
          (c) =>
            c.constructPath?.startsWith(`${f.topology}/`) &&
            c.uploads.some((u) => u.file.startsWith("/etc/keepalived/")),
        )
        .map((c) => c.name),
      nodeHeader: "X-Load-Balancer",
    }));
}

/** Which node holds `vip` now (by `ip addr` inside each node). */
export async function vipHolders(lab: EngineLab, pair: VipPairInStack): Promise<string[]> {
  const holders: string[] = [];
  for (const node of pair.nodes) {
    const r = await lab.deployment.exec(node, ["ip", "-4", "-o", "addr", "show"]);
    if (r.stdout.includes(` ${pair.vip}/`)) holders.push(node);
  }
  return holders;
}

/** What a kill drill measured. */
export interface KillDrillResult {
  readonly killed: string;
  readonly takenOverBy: string;
  /** From `docker kill` to the first answer through the other node. */
  readonly failoverSeconds: number;
  /** Attempts without an answer in that time. */
  readonly failedAttempts: number;
}

/**
 * Kills the VIP's holder and measures the failover, probing from `clientNs` every 20 ms with
 * 250 ms timeouts. The killed node's hostname must differ from the new answerer's.
 */
export async function killVipHolder(
  lab: EngineLab,
  pair: VipPairInStack,
  clientNs: string,
): Promise<KillDrillResult> {
  const holders = await vipHolders(lab, pair);
  if (holders.length !== 1)
    throw new Error(`expected one holder of ${pair.vip}, found ${JSON.stringify(holders)}`);
  const killed = holders[0] as string;
  const killedHost = lab.deployment.container(killed).hostname;
  const probe = HttpProbe.start(clientNs, `http://${pair.vip}:${pair.port}/`, {
    header: pair.nodeHeader,
    maxMs: 30_000,
  });
  try {
    await probe.waitFor((a) => a.status === 200 && a.node === killedHost, 0, 5_000);
    const killedAt = Date.now();
    await lab.deployment.kill(killed);
    const hit = await probe.waitFor((a) => a.status === 200 && a.node !== killedHost, killedAt, 15_000);
    const failed = probe.attempts.filter((a) => a.t >= killedAt && a.t <= hit.t && a.status !== 200).length;
    const takenOverBy =
      pair.nodes.find((n) => lab.deployment.container(n).hostname === hit.node) ?? String(hit.node);
    // The survivor's keepalived says it took the VIP over (its log is the container's stderr).
    const log = await lab.deployment.logs(takenOverBy);
    if (!/Entering MASTER STATE/.test(log.stdout + log.stderr)) {
      throw new Error(
        `${takenOverBy} answers for ${pair.vip}, but its keepalived never entered MASTER state`,
      );
    }
    return { killed, takenOverBy, failoverSeconds: (hit.t - killedAt) / 1000, failedAttempts: failed };
  } finally {
    await probe.stop();
  }
}

interface ReportGroup {
  members: string[];
  predictions?: { fault: string; recoverySeconds: number }[];
}

/** The analysis' predicted recovery from losing a node of the pair (ha-report.json), if any. */
export function predictedNodeLoss(lab: EngineLab, pair: VipPairInStack): number | undefined {
  const report = JSON.parse(readFileSync(join(lab.stack.dir, "ha-report.json"), "utf8")) as {
    redundancyGroups: ReportGroup[];
  };
  const paths = pair.nodes.map((n) =>
    lab.stack.containers.find((c) => c.name === n)?.constructPath?.replace(/\/Resource$/, ""),
  );
  const group = report.redundancyGroups.find((g) =>
    paths.every((p) => p !== undefined && g.members.includes(p)),
  );
  return group?.predictions?.find((p) => p.fault === "node-loss")?.recoverySeconds;
}
