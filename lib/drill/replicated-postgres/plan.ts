/**
 * Recognizes a replicated PostgreSQL cluster in a synthesized Docker stack from `ha-report.json`:
 * its database nodes, DCS members and routers (roles `database`, `dcs`, `database-router` of one
 * topology), the routers' shared address and ports, and from the nodes' own files the
 * application's role and database (the post-init script), whether commits wait for a standby
 * (patroni.yml), and the secret file holding the application's password.
 */
import { DrillError } from "../core/drill-error";
import { type ReportHost, reportHosts } from "../core/report-hosts";
import type { DrillStack } from "../core/stack";
import type { StackReport } from "../core/stack-report";

export type PostgresHost = ReportHost;

export interface PostgresPlan {
  /** The topology's construct path. */
  readonly id: string;
  readonly nodes: readonly PostgresHost[];
  /** etcd's members: the nodes themselves when colocated. */
  readonly dcs: readonly PostgresHost[];
  readonly routers: readonly PostgresHost[];
  /** Where clients connect: the routers' shared address, or the first router's. */
  readonly address: string;
  readonly readWritePort: number;
  readonly readOnlyPort: number;
  readonly database: string;
  readonly user: string;
  /** The node file holding the application's password (the lab generated it). */
  readonly passwordFile: string;
  /** Whether a commit waits for a synchronous standby (`synchronous_mode: true`). */
  readonly synchronous: boolean;
  /** Patroni's REST API port on the nodes. */
  readonly restApiPort: number;
  /** Key of the network the routers share with the clients. */
  readonly network: string;
}

export const POSTGRES_ROLES = { nodes: "database", dcs: "dcs", routers: "database-router" } as const;

const PATRONI_YML = "/etc/patroni/patroni.yml";
const POST_INIT = "/usr/local/sbin/ha-postgres-post-init";
const PASSWORD_FILE = "/etc/patroni/secrets/application";
const ROUTER_CFG = "/etc/haproxy/haproxy.cfg";

function upload(host: PostgresHost, file: string, where: string): string {
  const u = host.container.uploads.find((x) => x.file === file);
  if (!u) throw new DrillError(`${where}: ${host.hostname} has no ${file}`);
  return u.content;
}

/** The plans of every self-managed replicated PostgreSQL of the report in `stack`. */
export function planReplicatedPostgres(stack: DrillStack, report: StackReport): PostgresPlan[] {
  const topologies = new Set(
    report.groups
      .filter((g) => g.role === POSTGRES_ROLES.routers && g.topology)
      .map((g) => g.topology as string),
  );
  return [...topologies].map((t) => planOne(stack, report, t));
}

function planOne(stack: DrillStack, report: StackReport, topology: string): PostgresPlan {
  const where = `replicated PostgreSQL ${topology}`;
  const group = (role: string) => {
    const g = report.groups.find((x) => x.topology === topology && x.role === role);
    if (!g) throw new DrillError(`${where}: the report has no ${role} group`);
    return g;
  };
  const nodes = reportHosts(stack, group(POSTGRES_ROLES.nodes), where);
  const dcs = reportHosts(stack, group(POSTGRES_ROLES.dcs), where);
  const routers = reportHosts(stack, group(POSTGRES_ROLES.routers), where);
  const first = nodes[0] as PostgresHost;
  const postInit = upload(first, POST_INIT, where);
  const user = /CREATE ROLE %I LOGIN PASSWORD %L', '([a-z_][a-z0-9_]*)'/.exec(postInit)?.[1];
  const database = /CREATE DATABASE %I OWNER %I', '([a-z_][a-z0-9_]*)'/.exec(postInit)?.[1];
  if (!user || !database)
    throw new DrillError(`${where}: ${POST_INIT} names no application role and database`);
  if (!first.container.uploads.some((u) => u.file === PASSWORD_FILE && u.secret)) {
    throw new DrillError(`${where}: ${first.hostname} has no secret ${PASSWORD_FILE}`);
  }
  const yml = upload(first, PATRONI_YML, where);
  const restApiPort = Number(/^ {2}listen: "[0-9.]+:(\d+)"$/m.exec(yml)?.[1]);
  if (!Number.isInteger(restApiPort) || restApiPort <= 0) {
    throw new DrillError(`${where}: ${PATRONI_YML} has no restapi listen port`);
  }
  const cfg = upload(routers[0] as PostgresHost, ROUTER_CFG, where);
  const port = (frontend: string) => {
    const section = cfg.split(/\n(?=\S)/).find((s) => s.startsWith(`frontend ${frontend}\n`)) ?? "";
    const p = Number(/bind [0-9.]+:(\d+)/.exec(section)?.[1]);
    if (!Number.isInteger(p) || p <= 0)
      throw new DrillError(`${where}: the routers' haproxy.cfg has no ${frontend}`);
    return p;
  };
  const floating = report.floatingAddresses.find((f) => f.topology === topology && f.address);
  const network = routers[0]?.container.network as string;
  return {
    id: topology,
    nodes,
    dcs,
    routers,
    address: floating?.address ?? (routers[0] as PostgresHost).address,
    readWritePort: port("fe_read_write"),
    readOnlyPort: port("fe_read_only"),
    database,
    user,
    passwordFile: PASSWORD_FILE,
    synchronous: /^ {4}synchronous_mode: true$/m.test(yml),
    restApiPort,
    network,
  };
}
