/**
 * HAProxy in front of a Patroni cluster: a read-write port that reaches the primary only and a
 * read-only port that reaches the replicas, each server checked on Patroni's REST API rather
 * than on PostgreSQL's port (a running PostgreSQL says nothing about its role). TCP mode: the
 * PostgreSQL protocol passes through untouched.
 */
import { type ErrorLocation, invalid } from "../errors";
import { assertIntegerInRange, assertName, assertPort } from "../model/config-text";
import { isIpv4 } from "../model/ipam";
import { type HaproxyBackend, type HaproxyConfig, renderHaproxyCfg } from "./haproxy";
import { PATRONI_DEFAULTS } from "./patroni";

export interface PostgresRouterConfig {
  /** This router's name. */
  readonly nodeName: string;
  /** The Patroni nodes. */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly address: string }>;
  /** Addresses the two listeners bind on. */
  readonly bindAddresses: readonly string[];
  /** @default 5000 */
  readonly readWritePort?: number;
  /** @default 5001 */
  readonly readOnlyPort?: number;
  /** PostgreSQL's port on the nodes. @default 5432 */
  readonly postgresPort?: number;
  /** Patroni's REST API port on the nodes. @default 8008 */
  readonly restApiPort?: number;
  /**
   * The read-only port serves a replica only while it is at most this far behind the primary
   * (`GET /replica?lag=<bytes>`). @default 1048576 (1 MiB, Patroni's maximum_lag_on_failover)
   */
  readonly replicaMaxLagBytes?: number;
  /**
   * Milliseconds between checks of each node's role. @default 1000 - with `fall` 2, a primary that
   * stops answering leaves the read-write port about 2-3 s later, well inside Patroni's ttl
   */
  readonly checkIntervalMs?: number;
  /** @default 2 */
  readonly fall?: number;
  /**
   * @default 1 - only the holder of Patroni's leader lock answers 200 on /primary, so one
   * answer is proof enough, and the new primary takes writes one check after its promotion
   */
  readonly rise?: number;
  /** @default 2000 */
  readonly maxConnections?: number;
  /** Loopback health endpoint (monitor-uri) and statistics page ports. @default 8405, 8404 */
  readonly healthPort?: number;
  readonly statsPort?: number;
}

export const POSTGRES_ROUTER_DEFAULTS = {
  readWritePort: 5000,
  readOnlyPort: 5001,
  replicaMaxLagBytes: 1_048_576,
  checkIntervalMs: 1000,
  fall: 2,
  rise: 1,
  maxConnections: 2000,
  healthPort: 8405,
  statsPort: 8404,
} as const;

function backend(
  name: string,
  balance: string,
  path: string,
  c: PostgresRouterConfig,
  t: { intervalMs: number; rise: number; fall: number; apiPort: number; pgPort: number },
): HaproxyBackend {
  return {
    name,
    balance,
    consistentHash: false,
    servers: c.nodes.map((n) => ({ name: n.name, address: n.address, port: t.pgPort })),
    check: {
      kind: "http",
      intervalMs: t.intervalMs,
      timeoutMs: t.intervalMs,
      rise: t.rise,
      fall: t.fall,
      port: t.apiPort,
      path,
      expectedStatus: 200,
    },
    passiveErrorLimit: 3,
    retries: 2,
    retryOn: ["conn-failure"],
    shutdownSessionsOnMarkDown: true,
  };
}

/** The HAProxy configuration of one router; validated. */
export function postgresHaproxyConfig(where: ErrorLocation, c: PostgresRouterConfig): HaproxyConfig {
  const d = POSTGRES_ROUTER_DEFAULTS;
  assertName(where, "router name", c.nodeName);
  if (c.nodes.length === 0) invalid(where, "Patroni nodes", c.nodes, "give at least one node");
  for (const n of c.nodes) {
    assertName(where, "Patroni node name", n.name);
    if (!isIpv4(n.address))
      invalid(where, `Patroni node ${n.name} address`, n.address, "use an IPv4 address");
  }
  if (new Set(c.nodes.map((n) => n.name)).size !== c.nodes.length)
    invalid(
      where,
      "Patroni node names",
      c.nodes.map((n) => n.name),
      "give every node a distinct name",
    );
  if (c.bindAddresses.length === 0) invalid(where, "bind addresses", c.bindAddresses, "give at least one");
  for (const a of c.bindAddresses) if (!isIpv4(a)) invalid(where, "bind address", a, "use an IPv4 address");
  const rw = assertPort(where, "read-write port", c.readWritePort ?? d.readWritePort);
  const ro = assertPort(where, "read-only port", c.readOnlyPort ?? d.readOnlyPort);
  const health = assertPort(where, "health port", c.healthPort ?? d.healthPort);
  const stats = assertPort(where, "stats port", c.statsPort ?? d.statsPort);
  const ports = [rw, ro, health, stats];
  if (new Set(ports).size !== ports.length)
    invalid(where, "router ports", ports, "use four distinct ports (read-write, read-only, health, stats)");
  const t = {
    pgPort: assertPort(where, "PostgreSQL port", c.postgresPort ?? PATRONI_DEFAULTS.postgresPort),
    apiPort: assertPort(where, "REST API port", c.restApiPort ?? PATRONI_DEFAULTS.restApiPort),
    intervalMs: assertIntegerInRange(
      where,
      "check interval (ms)",
      c.checkIntervalMs ?? d.checkIntervalMs,
      100,
      60_000,
    ),
    rise: assertIntegerInRange(where, "rise", c.rise ?? d.rise, 1, 10),
    fall: assertIntegerInRange(where, "fall", c.fall ?? d.fall, 1, 10),
  };
  const lag = assertIntegerInRange(
    where,
    "replica max lag (bytes)",
    c.replicaMaxLagBytes ?? d.replicaMaxLagBytes,
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const backends = [
    // "first": every connection to the one server that answers as primary.
    backend("be_primary", "first", "/primary", c, t),
    backend("be_replicas", "roundrobin", `/replica?lag=${lag}`, c, t),
  ];
  const binds = (port: number) => [...new Set(c.bindAddresses)].map((address) => ({ address, port }));
  return {
    nodeName: c.nodeName,
    mode: "tcp",
    maxConnections: assertIntegerInRange(
      where,
      "max connections",
      c.maxConnections ?? d.maxConnections,
      1,
      1_000_000,
    ),
    // Database sessions idle for long stretches; a 30 min timeout keeps them.
    timeouts: { connectMs: 2000, clientMs: 1_800_000, serverMs: 1_800_000 },
    frontends: [
      { name: "fe_read_write", binds: binds(rw), backend: "be_primary" },
      { name: "fe_read_only", binds: binds(ro), backend: "be_replicas" },
    ],
    backends,
    health: { address: "127.0.0.1", port: health, uri: "/healthz" },
    stats: { address: "127.0.0.1", port: stats, uri: "/stats" },
  };
}

/** Renders the router's haproxy.cfg. Pure: the same input always gives the same text. */
export function renderPostgresHaproxyCfg(where: ErrorLocation, c: PostgresRouterConfig): string {
  return renderHaproxyCfg(postgresHaproxyConfig(where, c));
}
