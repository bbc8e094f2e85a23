/** The cluster's traffic rules and its records for the HA report. */
import { Token } from "cdktf";
import type { Construct } from "constructs";
import type { FailurePrediction } from "../../model/availability";
import type { ReplicationMode } from "../../model/replication-mode";
import type { FloatingAddressMode } from "../../platforms/floating-address";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import { type ITrafficPeer, Traffic, TrafficSource } from "../../platforms/traffic";
import type { FloatingAddress } from "../parts/floating-address";
import type { VrrpGroup } from "../parts/vrrp-group";
import {
  masterDownBasis,
  masterDownSeconds,
  probeBasis,
  probeSeconds,
  roundSeconds,
} from "../parts/vrrp-timing";
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, POSTGRES_PORT, REST_API_PORT } from "./cluster-hosts";
import type { resolveChecks, resolveTiming } from "./patroni-timing";
import { postgresPredictions } from "./predictions";

export interface FlowContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
}

export interface RecordContext extends FlowContext {
  readonly etcdHosts: readonly IHost[];
  readonly nodeHosts: readonly IHost[];
  readonly routerHosts: readonly IHost[];
}

export function allowClusterFlows(
  c: FlowContext,
  f: {
    clients: readonly ITrafficPeer[] | undefined;
    readWritePort: number;
    readOnlyPort: number;
    nodesGroup: string;
    etcdGroup: string;
    routersGroup: string;
    separateEtcd: boolean;
  },
): void {
  const p = c.platform;
  const group = (trafficGroup: string) => TrafficSource.group({ trafficGroup });
  const sources = f.clients ? f.clients.map((c) => TrafficSource.group(c)) : [TrafficSource.clients()];
  for (const from of sources) {
    for (const [port, what] of [
      [f.readWritePort, "clients to the read-write port"],
      [f.readOnlyPort, "clients to the read-only port"],
    ] as const) {
      p.allowTraffic(c.scope, {
        toGroup: f.routersGroup,
        traffic: Traffic.tcp(port),
        from,
        description: what,
      });
    }
  }
  const rules: Array<[string, Traffic, string, string]> = [
    [f.nodesGroup, Traffic.tcp(POSTGRES_PORT), f.routersGroup, "routers to PostgreSQL"],
    [f.nodesGroup, Traffic.tcp(REST_API_PORT), f.routersGroup, "routers' role checks of Patroni's REST API"],
    [f.nodesGroup, Traffic.tcp(POSTGRES_PORT), f.nodesGroup, "streaming replication and pg_rewind"],
    [
      f.nodesGroup,
      Traffic.tcp(REST_API_PORT),
      f.nodesGroup,
      "Patroni's calls between nodes (failsafe, leader race)",
    ],
    [f.etcdGroup, Traffic.tcp(ETCD_CLIENT_PORT), f.nodesGroup, "Patroni to etcd"],
    [f.etcdGroup, Traffic.tcp(ETCD_PEER_PORT), f.etcdGroup, "etcd peers (Raft)"],
  ];
  for (const [to, traffic, from, description] of rules) {
    p.allowTraffic(c.scope, { toGroup: to, traffic, from: group(from), description });
  }
}

export function recordCluster(
  c: RecordContext,
  r: {
    replication: ReplicationMode;
    timing: ReturnType<typeof resolveTiming>;
    checks: ReturnType<typeof resolveChecks>;
    nodeCount: number;
    etcdCount: number;
    electionTimeoutMs: number;
    nodesGroup: string;
    etcdGroup: string;
    routersGroup: string;
    separateEtcd: boolean;
    vrrp: { group: VrrpGroup; address: FloatingAddress } | undefined;
    mode: FloatingAddressMode | undefined;
    readWritePort: number;
    readOnlyPort: number;
  },
): void {
  const model = c.platform.availability;
  const topology = c.scope.node.path;
  const etcdGroupId = r.separateEtcd ? r.etcdGroup : `${topology}/Dcs`;
  const majority = Math.floor(r.etcdCount / 2) + 1;
  model.addGroup({
    id: etcdGroupId,
    role: "dcs",
    topology,
    members: (r.separateEtcd ? c.etcdHosts : c.nodeHosts).map((h) => h.node.path),
    minimumHealthy: majority,
    mechanism: `etcd Raft: a majority of ${majority} of ${r.etcdCount} members keeps Patroni's leader lock writable`,
    predictions: [],
    dependsOn: [],
  });
  const strictWrites = r.replication.strict ? r.replication.synchronousCount + 1 : 1;
  model.addGroup({
    id: r.nodesGroup,
    role: "database",
    topology,
    members: c.nodeHosts.map((h) => h.node.path),
    minimumHealthy: strictWrites,
    mechanism: `Patroni (${r.replication.describe()}): the holder of the leader lock in etcd is the primary`,
    predictions: postgresPredictions({
      mode: r.replication,
      timing: r.timing,
      checks: r.checks,
      nodes: r.nodeCount,
      etcdElectionTimeoutMs: r.electionTimeoutMs,
    }),
    dependsOn: [etcdGroupId],
  });
  const routerPredictions: FailurePrediction[] = [];
  if (r.vrrp) {
    const t = r.vrrp.group.timing;
    const move = r.vrrp.address.binding.moveSeconds;
    routerPredictions.push({
      fault: "router-loss",
      recoverySeconds: roundSeconds(masterDownSeconds(t) + probeSeconds(t) + (move?.seconds ?? 0)),
      failedRequests:
        "sessions through the lost router end (clients reconnect); new connections fail until the address moves",
      basis: `${masterDownBasis(t)}${probeBasis(t)}${move ? ` + ${move.basis}` : ""}`,
    });
    const vrrpAddress = r.vrrp.address;
    const routers = c.routerHosts;
    const mode = r.mode as FloatingAddressMode;
    model.addFloatingAddress({
      id: vrrpAddress.node.path,
      topology,
      get address() {
        return Token.isUnresolved(vrrpAddress.address) ? `${mode}: allocated at deploy` : vrrpAddress.address;
      },
      mode,
      listenerPorts: [r.readWritePort, r.readOnlyPort],
      get healthyOn() {
        return routers[vrrpAddress.preferredNode]?.node.path ?? "";
      },
      virtualRouterId: vrrpAddress.virtualRouterId,
    });
  }
  model.addGroup({
    id: r.routersGroup,
    role: "database-router",
    topology,
    members: c.routerHosts.map((h) => h.node.path),
    minimumHealthy: 1,
    mechanism: r.vrrp
      ? `HAProxy checks /primary and /replica on every node; the routers share ${r.vrrp.address.node.id} by VRRP`
      : "HAProxy checks /primary and /replica on every node; clients list the routers",
    predictions: routerPredictions,
    dependsOn: [r.nodesGroup],
  });
}
