/**
 * The configuration file of one etcd 3.4 member (`etcd --config-file`, Debian's etcd-server),
 * for a static cluster whose members all know each other from the start: the DCS that Patroni
 * elects its leader through.
 */
import { type ErrorLocation, invalid } from "../errors";
import { assertFilePath, assertIntegerInRange, assertName, assertPort } from "../model/config-text";
import { isIpv4 } from "../model/ipam";
import { generatedHeader, lines } from "./text";
import { quoted } from "./yaml-text";

/** One member of the cluster. */
export interface EtcdMember {
  /** Member name (`name`, and its key in `initial-cluster`). */
  readonly name: string;
  /** IPv4 address the member listens on and advertises, for peers and clients. */
  readonly address: string;
}

/** What every member of one cluster shares. */
export interface EtcdCluster {
  /** Every member, this one included, in a stable order. */
  readonly members: readonly EtcdMember[];
  /** `initial-cluster-token`: keeps members of another cluster from joining this one. */
  readonly token: string;
  /** @default 2379 */
  readonly clientPort?: number;
  /** @default 2380 */
  readonly peerPort?: number;
  /**
   * `heartbeat-interval`: how often the leader tells followers it is alive.
   * @default 100 - etcd's own default, made for round trips under a few milliseconds: a LAN or
   * one zone apart. Lower buys little (the election timeout dominates failover) and costs CPU.
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * `election-timeout`: how long a follower waits without a heartbeat before it calls an
   * election; at least 5 heartbeats (etcd refuses less) and at most 50 s.
   * @default 1000 - etcd's default: a lost leader is replaced in about 1-2 s, far inside
   * Patroni's retry_timeout (10 s), so losing the etcd leader never demotes the PostgreSQL
   * primary; shorter timeouts make elections flap under CPU contention.
   */
  readonly electionTimeoutMs?: number;
  /** `initial-cluster-state`. @default "new" */
  readonly initialState?: "new" | "existing";
  /**
   * Allows a single member (no fault tolerance at all; for a laboratory only).
   * @default false - an odd count of at least 3, so a majority survives one member's loss
   */
  readonly allowSingleMember?: boolean;
}

/** Defaults of the cluster's timing, shared with whoever predicts its failover. */
export const ETCD_DEFAULTS = {
  clientPort: 2379,
  peerPort: 2380,
  heartbeatIntervalMs: 100,
  electionTimeoutMs: 1000,
} as const;

/** etcd rejects an election timeout below this many heartbeat intervals. */
export const ETCD_MIN_ELECTION_HEARTBEATS = 5;

/** Checks a cluster's members, ports and timing; throws a ValidationError at `where`. */
export function validateEtcdCluster(where: ErrorLocation, cluster: EtcdCluster): void {
  const n = cluster.members.length;
  const single = n === 1 && cluster.allowSingleMember === true;
  if (!single && (n < 3 || n % 2 === 0)) {
    invalid(
      where,
      "etcd member count",
      n,
      "use an odd number of members, at least 3 (an even count tolerates no more failures than one fewer, and 1 tolerates none)",
    );
  }
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const m of cluster.members) {
    assertName(where, "etcd member name", m.name);
    if (!isIpv4(m.address)) invalid(where, `etcd member ${m.name} address`, m.address, "use an IPv4 address");
    if (names.has(m.name)) invalid(where, "etcd member name", m.name, "give every member a distinct name");
    if (addresses.has(m.address))
      invalid(where, `etcd member ${m.name} address`, m.address, "give every member a distinct address");
    names.add(m.name);
    addresses.add(m.address);
  }
  assertName(where, "etcd cluster token", cluster.token);
  const t = timing(cluster);
  assertPort(where, "etcd client port", t.clientPort);
  assertPort(where, "etcd peer port", t.peerPort);
  if (t.clientPort === t.peerPort)
    invalid(where, "etcd peer port", t.peerPort, `use a port other than the client port ${t.clientPort}`);
  assertIntegerInRange(where, "etcd heartbeat interval (ms)", t.heartbeatIntervalMs, 10, 10_000);
  assertIntegerInRange(where, "etcd election timeout (ms)", t.electionTimeoutMs, 50, 50_000);
  if (t.electionTimeoutMs < ETCD_MIN_ELECTION_HEARTBEATS * t.heartbeatIntervalMs) {
    invalid(
      where,
      "etcd election timeout (ms)",
      t.electionTimeoutMs,
      `use at least ${ETCD_MIN_ELECTION_HEARTBEATS} heartbeat intervals (${ETCD_MIN_ELECTION_HEARTBEATS * t.heartbeatIntervalMs} ms); etcd refuses less`,
    );
  }
  if (
    cluster.initialState !== undefined &&
    cluster.initialState !== "new" &&
    cluster.initialState !== "existing"
  )
    invalid(where, "etcd initial cluster state", cluster.initialState, 'use "new" or "existing"');
}

function timing(cluster: EtcdCluster) {
  return {
    clientPort: cluster.clientPort ?? ETCD_DEFAULTS.clientPort,
    peerPort: cluster.peerPort ?? ETCD_DEFAULTS.peerPort,
    heartbeatIntervalMs: cluster.heartbeatIntervalMs ?? ETCD_DEFAULTS.heartbeatIntervalMs,
    electionTimeoutMs: cluster.electionTimeoutMs ?? ETCD_DEFAULTS.electionTimeoutMs,
  };
}

/** The clients' endpoints, `address:port` per member in member order (Patroni's `etcd3.hosts`). */
export function etcdClientEndpoints(cluster: EtcdCluster): string[] {
  const port = cluster.clientPort ?? ETCD_DEFAULTS.clientPort;
  return cluster.members.map((m) => `${m.address}:${port}`);
}

/**
 * Renders the YAML configuration of the member named `memberName`, keeping its data in
 * `dataDir`. Clients reach it on its address and on loopback (for local health checks); peers
 * only on its address. Pure: the same input always gives the same text.
 */
export function renderEtcdConfig(
  where: ErrorLocation,
  cluster: EtcdCluster,
  memberName: string,
  dataDir: string,
): string {
  validateEtcdCluster(where, cluster);
  const self = cluster.members.find((m) => m.name === memberName);
  if (!self) {
    invalid(where, "etcd member", memberName, `use one of ${cluster.members.map((m) => m.name).join(", ")}`);
  }
  assertFilePath(where, "etcd data dir", dataDir);
  const t = timing(cluster);
  const peerUrl = (m: EtcdMember) => `http://${m.address}:${t.peerPort}`;
  const clientUrl = `http://${self.address}:${t.clientPort}`;
  const initialCluster = cluster.members.map((m) => `${m.name}=${peerUrl(m)}`).join(",");
  return lines(
    generatedHeader("#"),
    `name: ${quoted(self.name)}`,
    `data-dir: ${quoted(dataDir)}`,
    `listen-peer-urls: ${quoted(peerUrl(self))}`,
    `initial-advertise-peer-urls: ${quoted(peerUrl(self))}`,
    `listen-client-urls: ${quoted(`${clientUrl},http://127.0.0.1:${t.clientPort}`)}`,
    `advertise-client-urls: ${quoted(clientUrl)}`,
    `initial-cluster: ${quoted(initialCluster)}`,
    `initial-cluster-state: ${quoted(cluster.initialState ?? "new")}`,
    `initial-cluster-token: ${quoted(cluster.token)}`,
    `heartbeat-interval: ${t.heartbeatIntervalMs}`,
    `election-timeout: ${t.electionTimeoutMs}`,
    "# Patroni speaks the v3 API only, as JSON over HTTP: the gRPC gateway must be on, and etcd 3.4",
    "# leaves it off when it reads a config file that does not say so.",
    "enable-v2: false",
    "enable-grpc-gateway: true",
    "logger: zap",
    "log-outputs: [stderr]",
  );
}
