/**
 * The kill drill of a replicated PostgreSQL on a real engine: find the cluster in the stack's
 * `ha-report.json` (its database and router groups, the routers' floating address), write
 * through the read-write port as the application (psql inside a node, which pg_hba admits, with
 * the password the deployment generated, read from the node's secret file), `docker kill` the
 * primary's container, and measure until a write through the same address succeeds on another
 * node; then count the rows acknowledged before the kill.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineLab } from "../../lib/drill/engine/engine-lab";

const PSQL = "/usr/lib/postgresql/15/bin/psql";
const PASSWORD_FILE = "/etc/patroni/secrets/application";

export interface PostgresInStack {
  readonly address: string;
  readonly readWritePort: number;
  readonly readOnlyPort: number;
  /** Node container names, and their addresses in the same order. */
  readonly nodes: readonly string[];
  readonly nodeAddresses: readonly string[];
  readonly predictedPrimaryLoss?: number;
}

interface Report {
  components: { id: string; hostname: string }[];
  redundancyGroups: {
    id: string;
    role: string;
    topology: string;
    members: string[];
    predictions?: { fault: string; recoverySeconds?: number }[];
  }[];
  floatingAddresses?: { topology: string; address: string; listenerPorts: number[] }[];
}

export function postgresClustersOf(lab: EngineLab): PostgresInStack[] {
  const report = JSON.parse(readFileSync(join(lab.stack.dir, "ha-report.json"), "utf8")) as Report;
  const hostnameOf = (id: string) => report.components.find((c) => c.id === id)?.hostname;
  const container = (hostname: string) => {
    const c = lab.stack.containers.find((x) => (x.hostname ?? x.name) === hostname);
    if (!c) throw new Error(`no container with host name ${hostname}`);
    return c;
  };
  return report.redundancyGroups
    .filter((g) => g.role === "database-router")
    .map((routers) => {
      const db = report.redundancyGroups.find(
        (g) => g.topology === routers.topology && g.role === "database",
      );
      const floating = (report.floatingAddresses ?? []).find((f) => f.topology === routers.topology);
      if (!db || !floating) throw new Error(`${routers.topology}: no database group or no floating address`);
      const nodes = db.members.map((m) => container(hostnameOf(m) as string));
      return {
        address: floating.address,
        readWritePort: floating.listenerPorts[0] as number,
        readOnlyPort: floating.listenerPorts[1] as number,
        nodes: nodes.map((c) => c.name),
        nodeAddresses: nodes.map((c) => c.networks[0]?.ipv4Address ?? ""),
        ...(db.predictions?.find((p) => p.fault === "primary-loss")?.recoverySeconds !== undefined
          ? { predictedPrimaryLoss: db.predictions?.find((p) => p.fault === "primary-loss")?.recoverySeconds }
          : {}),
      };
    });
}

/** One statement through the cluster's address and `port`, run by psql inside `node`. */
export async function sqlVia(
  lab: EngineLab,
  cluster: PostgresInStack,
  node: string,
  statement: string,
  port = cluster.readWritePort,
): Promise<{ ok: boolean; out: string }> {
  const script = [
    `PGPASSWORD="$(cat ${PASSWORD_FILE})" PGCONNECT_TIMEOUT=2`,
    `exec ${PSQL} -X -At -v ON_ERROR_STOP=1 "host=${cluster.address} port=${port} user=app dbname=app" -c "$1"`,
  ].join(" ");
  const r = await lab.deployment.exec(node, ["sh", "-c", script, "sql", statement], 15_000);
  return { ok: r.exitCode === 0, out: `${r.stdout}${r.exitCode === 0 ? "" : r.stderr}`.trim() };
}

/** Polls `statement` from `node` until it succeeds (at most `timeoutMs`); its output. */
export async function untilSql(
  lab: EngineLab,
  cluster: PostgresInStack,
  node: string,
  statement: string,
  timeoutMs: number,
  port?: number,
): Promise<string> {
  const t0 = Date.now();
  let last = "";
  while (Date.now() - t0 < timeoutMs) {
    const r = await sqlVia(lab, cluster, node, statement, port);
    if (r.ok) return r.out;
    last = r.out;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${statement} never succeeded within ${timeoutMs} ms from ${node}: ${last}`);
}

export interface PrimaryKillResult {
  readonly killed: string;
  readonly newPrimary: string;
  /** From `docker kill` to the first write through the address acknowledged by another node. */
  readonly writesBackSeconds: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
}

/** Kills the primary's container and measures until writes through the address are back. */
export async function killPrimary(lab: EngineLab, cluster: PostgresInStack): Promise<PrimaryKillResult> {
  const first = cluster.nodes[0] as string;
  await untilSql(lab, cluster, first, "CREATE TABLE IF NOT EXISTS engine_drill (id int PRIMARY KEY)", 60_000);
  await untilSql(
    lab,
    cluster,
    first,
    "INSERT INTO engine_drill SELECT generate_series(1, 500) ON CONFLICT DO NOTHING",
    10_000,
  );
  const primaryAddress = await untilSql(lab, cluster, first, "SELECT host(inet_server_addr())", 10_000);
  const index = cluster.nodeAddresses.indexOf(primaryAddress);
  const killed = cluster.nodes[index];
  if (killed === undefined) throw new Error(`the primary ${primaryAddress} is not a node of the cluster`);
  const survivor = cluster.nodes.find((n) => n !== killed) as string;
  const t0 = Date.now();
  await lab.deployment.kill(killed);
  // psql prints the returned row, then the command's status ("INSERT 0 1").
  const returned = await untilSql(
    lab,
    cluster,
    survivor,
    "INSERT INTO engine_drill VALUES (501) RETURNING host(inet_server_addr())",
    60_000,
  );
  const after = returned.split("\n")[0] as string;
  const writesBackSeconds = (Date.now() - t0) / 1000;
  const rows = Number(await untilSql(lab, cluster, survivor, "SELECT count(*) FROM engine_drill", 10_000));
  return {
    killed,
    newPrimary: cluster.nodes[cluster.nodeAddresses.indexOf(after)] ?? `unknown (${after})`,
    writesBackSeconds,
    rowsBefore: 500,
    rowsAfter: rows,
  };
}
