/**
 * `patroni.yml` of one node of a Patroni 3.0 cluster (Debian's patroni 3.0.2) running Debian's
 * PostgreSQL 15, with etcd 3 as its DCS.
 *
 * No password is rendered: the authentication section names the users only. Patroni 3.0 reads
 * a configuration directory as several YAML files merged in name order, so the start script
 * (`patroni-start.ts`) puts this file and one it writes from the secret files side by side in a
 * runtime directory and starts Patroni on that directory.
 */
import { type ErrorLocation, invalid } from "../errors";
import { assertFilePath, assertIntegerInRange, assertName, assertPort } from "../model/config-text";
import { isIpv4, parseIpv4Cidr } from "../model/ipam";
import { ReplicationMode } from "../model/replication-mode";
import { generatedHeader, lines } from "./text";
import { type YamlValue, yamlBlock } from "./yaml-text";

/** The PostgreSQL roles Patroni uses. */
export interface PatroniUsers {
  /** @default "postgres" */
  readonly superuser?: string;
  /** @default "replicator" */
  readonly replication?: string;
  /** @default "rewind_user" */
  readonly rewind?: string;
}

/** Patroni's tags of one node. */
export interface PatroniTags {
  readonly nofailover?: boolean;
  readonly noloadbalance?: boolean;
  readonly clonefrom?: boolean;
  readonly nosync?: boolean;
}

export interface PatroniConfig {
  /** The cluster's name (`scope`): its key prefix in etcd. */
  readonly scope: string;
  /** This node's name. */
  readonly name: string;
  /** This node's IPv4 address: PostgreSQL and the REST API listen and are reached there. */
  readonly address: string;
  /** Number of PostgreSQL nodes in the cluster, this one included (checks the sync count). */
  readonly clusterSize: number;
  /** etcd client endpoints, `address:port` (see `etcdClientEndpoints`). */
  readonly etcdHosts: readonly string[];
  /** PostgreSQL's data directory. */
  readonly dataDir: string;
  /** @default "/usr/lib/postgresql/15/bin" - Debian's PostgreSQL 15 */
  readonly binDir?: string;
  /** Where Patroni writes the pgpass file it connects to other nodes with. @default "/run/patroni/pgpass" */
  readonly pgpassPath?: string;
  /** PostgreSQL's unix socket directory. @default "/var/run/postgresql" - Debian's */
  readonly socketDir?: string;
  /** @default 5432 */
  readonly postgresPort?: number;
  /** @default 8008 */
  readonly restApiPort?: number;
  /** @default - postgres, replicator, rewind_user */
  readonly users?: PatroniUsers;
  /** @default ReplicationMode.synchronous() - no acknowledged commit lost on failover */
  readonly replication?: ReplicationMode;
  /**
   * `ttl`: a leader that has not renewed its lock for this long loses it.
   * @default 8 - the failover time after a node's loss is about ttl + loop_wait (Patroni's 30
   * gives over 30 s); 8 with loop_wait 1 and retry_timeout 3 keeps loop_wait + 2 × retry_timeout
   * ≤ ttl, the rule Patroni documents, so a DCS hiccup of one retry does not cost the lock.
   */
  readonly ttlSeconds?: number;
  /**
   * `loop_wait`: seconds between HA loops.
   * @default 1 - a replica notices an expired leader key within a second; each loop is one DCS
   * read and write per node
   */
  readonly loopWaitSeconds?: number;
  /**
   * `retry_timeout`: how long DCS and PostgreSQL operations are retried before the primary
   * demotes. @default 3 - longer than an etcd leader election (about 1-2 s with etcd's defaults)
   */
  readonly retryTimeoutSeconds?: number;
  /** `maximum_lag_on_failover`: a replica further behind is not promoted. @default 1048576 (1 MiB) */
  readonly maximumLagOnFailoverBytes?: number;
  /**
   * `failsafe_mode`: while etcd is unreachable, the primary keeps running if every other node
   * confirms it through the REST API (instead of demoting and stopping all writes).
   * @default true
   */
  readonly failsafeMode?: boolean;
  /** Networks of the cluster's nodes (replication, pg_rewind, REST API calls that change state). */
  readonly clusterCidrs: readonly string[];
  /** Networks the clients (the routers) connect from. */
  readonly clientCidrs: readonly string[];
  /** @default 100 */
  readonly maxConnections?: number;
  readonly tags?: PatroniTags;
  /**
   * `bootstrap.post_init`: a script Patroni runs once, on the node that creates the cluster,
   * with a connection string as its argument (see `renderPostgresPostInit`).
   * @default - none
   */
  readonly postInit?: string;
}

/** Defaults that predictions and other renderers share. */
export const PATRONI_DEFAULTS = {
  binDir: "/usr/lib/postgresql/15/bin",
  pgpassPath: "/run/patroni/pgpass",
  socketDir: "/var/run/postgresql",
  postgresPort: 5432,
  restApiPort: 8008,
  superuser: "postgres",
  replication: "replicator",
  rewind: "rewind_user",
  ttlSeconds: 8,
  loopWaitSeconds: 1,
  retryTimeoutSeconds: 3,
  maximumLagOnFailoverBytes: 1_048_576,
  maxConnections: 100,
} as const;

/** A PostgreSQL role name that needs no quoting in SQL nor in pg_hba.conf. */
const ROLE = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertRole(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !ROLE.test(value))
    invalid(where, what, value, "use 1-63 lower-case letters, digits and '_', starting with a letter or '_'");
  return value;
}

function assertHostPort(where: ErrorLocation, value: string): void {
  const m = /^([0-9.]+):(\d{1,5})$/.exec(typeof value === "string" ? value : "");
  if (!m || !isIpv4(m[1] as string) || Number(m[2]) < 1 || Number(m[2]) > 65535)
    invalid(where, "etcd host", value, "use an IPv4 address and port such as '198.18.0.2:2379'");
}

/** The effective DCS timing after defaults, validated. */
function dcsTiming(where: ErrorLocation, c: PatroniConfig) {
  const ttl = assertIntegerInRange(
    where,
    "Patroni ttl (s)",
    c.ttlSeconds ?? PATRONI_DEFAULTS.ttlSeconds,
    5,
    3600,
  );
  const loopWait = assertIntegerInRange(
    where,
    "Patroni loop_wait (s)",
    c.loopWaitSeconds ?? PATRONI_DEFAULTS.loopWaitSeconds,
    1,
    600,
  );
  const retry = assertIntegerInRange(
    where,
    "Patroni retry_timeout (s)",
    c.retryTimeoutSeconds ?? PATRONI_DEFAULTS.retryTimeoutSeconds,
    2,
    600,
  );
  if (loopWait + 2 * retry > ttl)
    invalid(
      where,
      "Patroni ttl (s)",
      ttl,
      `use at least loop_wait + 2 × retry_timeout = ${loopWait + 2 * retry}, or a shorter loop_wait or retry_timeout`,
    );
  return { ttl, loopWait, retry };
}

function replicationSettings(where: ErrorLocation, c: PatroniConfig): Record<string, YamlValue> {
  const mode = c.replication ?? ReplicationMode.synchronous();
  if (mode.kind === "asynchronous") return { synchronous_mode: false };
  const replicas = c.clusterSize - 1;
  assertIntegerInRange(where, "synchronous standby count", mode.synchronousCount, 1, 63);
  if (mode.synchronousCount > replicas)
    invalid(
      where,
      "synchronous standby count",
      mode.synchronousCount,
      `use at most the ${replicas} replicas`,
    );
  return {
    synchronous_mode: true,
    synchronous_mode_strict: mode.strict,
    synchronous_node_count: mode.synchronousCount,
  };
}

/** pg_hba.conf lines: scram-sha-256 everywhere, only from loopback and the given networks. */
export function patroniPgHba(
  users: Required<PatroniUsers>,
  clusterCidrs: readonly string[],
  clientCidrs: readonly string[],
): string[] {
  return [
    // The account PostgreSQL runs as reaches its own superuser over the socket without a
    // password (peer): Patroni's post_init script connects so, since libpq does not match the
    // pgpass entry Patroni writes for the default socket directory.
    ...(users.superuser === "postgres" ? ["local all postgres peer"] : []),
    "local all all scram-sha-256",
    "host all all 127.0.0.1/32 scram-sha-256",
    // Patroni asks its own node for the timeline over a local replication connection (before a
    // former primary rejoins, for one), as the replication user on localhost.
    `local replication ${users.replication} scram-sha-256`,
    `host replication ${users.replication} 127.0.0.1/32 scram-sha-256`,
    ...clusterCidrs.map((n) => `host replication ${users.replication} ${n} scram-sha-256`),
    ...clusterCidrs.map((n) => `host all all ${n} scram-sha-256`),
    ...clientCidrs.filter((n) => !clusterCidrs.includes(n)).map((n) => `host all all ${n} scram-sha-256`),
  ];
}

function validate(where: ErrorLocation, c: PatroniConfig) {
  assertName(where, "Patroni scope", c.scope);
  assertName(where, "Patroni node name", c.name);
  if (!isIpv4(c.address)) invalid(where, "Patroni node address", c.address, "use an IPv4 address");
  assertIntegerInRange(where, "cluster size", c.clusterSize, 1, 64);
  if (c.etcdHosts.length === 0) invalid(where, "etcd hosts", c.etcdHosts, "give at least one etcd endpoint");
  for (const h of c.etcdHosts) assertHostPort(where, h);
  assertFilePath(where, "data dir", c.dataDir);
  for (const n of [...c.clusterCidrs, ...c.clientCidrs]) parseIpv4Cidr(where, "pg_hba network", n, 0, 32);
  if (c.clusterCidrs.length === 0)
    invalid(where, "cluster networks", c.clusterCidrs, "give the network(s) of the cluster's nodes");
  const pgPort = assertPort(where, "PostgreSQL port", c.postgresPort ?? PATRONI_DEFAULTS.postgresPort);
  const apiPort = assertPort(where, "Patroni REST API port", c.restApiPort ?? PATRONI_DEFAULTS.restApiPort);
  if (pgPort === apiPort)
    invalid(where, "Patroni REST API port", apiPort, `use a port other than PostgreSQL's ${pgPort}`);
  const users: Required<PatroniUsers> = {
    superuser: assertRole(where, "superuser", c.users?.superuser ?? PATRONI_DEFAULTS.superuser),
    replication: assertRole(where, "replication user", c.users?.replication ?? PATRONI_DEFAULTS.replication),
    rewind: assertRole(where, "rewind user", c.users?.rewind ?? PATRONI_DEFAULTS.rewind),
  };
  if (new Set(Object.values(users)).size !== 3)
    invalid(where, "PostgreSQL users", users, "use three distinct role names");
  const lag =
    c.maximumLagOnFailoverBytes ??
    c.replication?.maximumLagOnFailoverBytes ??
    PATRONI_DEFAULTS.maximumLagOnFailoverBytes;
  assertIntegerInRange(where, "maximum lag on failover (bytes)", lag, 0, Number.MAX_SAFE_INTEGER);
  const maxConnections = assertIntegerInRange(
    where,
    "max connections",
    c.maxConnections ?? PATRONI_DEFAULTS.maxConnections,
    10,
    10_000,
  );
  return { pgPort, apiPort, users, lag, maxConnections, timing: dcsTiming(where, c) };
}

/** Renders `patroni.yml` of one node, without passwords. Pure: the same input gives the same text. */
export function renderPatroniYml(where: ErrorLocation, c: PatroniConfig): string {
  const v = validate(where, c);
  const binDir = assertFilePath(where, "bin dir", c.binDir ?? PATRONI_DEFAULTS.binDir);
  const pgpass = assertFilePath(where, "pgpass path", c.pgpassPath ?? PATRONI_DEFAULTS.pgpassPath);
  const socketDir = assertFilePath(where, "socket dir", c.socketDir ?? PATRONI_DEFAULTS.socketDir);
  const hba = patroniPgHba(v.users, c.clusterCidrs, c.clientCidrs);
  const doc: Record<string, YamlValue> = {
    scope: c.scope,
    name: c.name,
    restapi: {
      listen: `${c.address}:${v.apiPort}`,
      connect_address: `${c.address}:${v.apiPort}`,
      // Calls that change the cluster (switchover, restart, reinitialize) only from its nodes.
      allowlist: [...c.clusterCidrs],
    },
    etcd3: { hosts: [...c.etcdHosts] },
    bootstrap: {
      dcs: {
        ttl: v.timing.ttl,
        loop_wait: v.timing.loopWait,
        retry_timeout: v.timing.retry,
        maximum_lag_on_failover: v.lag,
        failsafe_mode: c.failsafeMode ?? true,
        ...replicationSettings(where, c),
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: "replica",
            hot_standby: "on",
            // pg_rewind needs hint bits in WAL (data checksums, set at initdb, do the same).
            wal_log_hints: "on",
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: "256MB",
            max_connections: v.maxConnections,
            password_encryption: "scram-sha-256",
          },
        },
      },
      initdb: [{ encoding: "UTF8" }, "data-checksums"],
      ...(c.postInit !== undefined
        ? { post_init: assertFilePath(where, "post_init script", c.postInit) }
        : {}),
      // Patroni 3.0's validator requires this list; postgresql.pg_hba below is what applies.
      pg_hba: hba,
    },
    postgresql: {
      listen: `${c.address},127.0.0.1:${v.pgPort}`,
      connect_address: `${c.address}:${v.pgPort}`,
      data_dir: c.dataDir,
      bin_dir: binDir,
      pgpass,
      use_unix_socket: true,
      // Passwords come from the secrets file the start script writes beside this one.
      authentication: {
        superuser: { username: v.users.superuser },
        replication: { username: v.users.replication },
        rewind: { username: v.users.rewind },
      },
      parameters: { unix_socket_directories: socketDir },
      // A replica cloned by pg_basebackup otherwise waits for the primary's next spread
      // checkpoint: minutes on a fresh cluster (measured on a real engine: still copying after 60 s).
      basebackup: [{ checkpoint: "fast" }],
      pg_hba: hba,
    },
    tags: {
      nofailover: c.tags?.nofailover ?? false,
      noloadbalance: c.tags?.noloadbalance ?? false,
      clonefrom: c.tags?.clonefrom ?? false,
      nosync: c.tags?.nosync ?? false,
    },
  };
  return lines(generatedHeader("#"), yamlBlock(doc));
}
