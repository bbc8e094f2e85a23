/**
 * Recognizes a three-tier load balancer in a synthesized Docker stack from `ha-report.json`: its
 * router, L4 and L7 groups (roles `router`, `l4-load-balancer`, `l7-load-balancer` of one
 * topology), the clients' gateway (the routers' floating address) and the service addresses the
 * L4 group announces, each member a container of the stack.
 */
import { DrillError } from "../core/drill-error";
import { type ReportHost, reportHosts } from "../core/report-hosts";
import type { DrillStack } from "../core/stack";
import type { StackReport } from "../core/stack-report";

/** A host of one tier. */
export type TierHost = ReportHost;

/** What a drill of the three tiers needs to know. */
export interface ThreeTierPlan {
  /** The topology's construct path. */
  readonly id: string;
  readonly routers: readonly TierHost[];
  readonly l4Nodes: readonly TierHost[];
  readonly l7Nodes: readonly TierHost[];
  /** The routers' VRRP address, the clients' next hop to the service addresses. */
  readonly gateway: string;
  readonly serviceAddresses: readonly string[];
  /** The first service port (the drill's clients use it). */
  readonly servicePort: number;
  /** Key of the network the routers share with the clients. */
  readonly network: string;
  /**
   * How long an L7 node keeps an idle client connection open (`timeout http-keep-alive`, or
   * `timeout client` in TCP mode), read from its haproxy.cfg; a connection idle longer than this
   * is closed by its own node, whatever a fault did.
   */
  readonly idleLimitMs: number;
  /** The L4 nodes tunnel to the L7 nodes (IPVS `lvs_method TUN`): the L7 nodes need ipip. */
  readonly tunnelled: boolean;
}

const L4_KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

/** Whether an L4 node's keepalived.conf `text` forwards by IP-in-IP tunnel. */
export function tunnelsToL7(text: string): boolean {
  return /^\s*lvs_method\s+TUN\s*$/m.test(text);
}

const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";

/** The idle limit of the haproxy.cfg `text`, in milliseconds. */
export function haproxyIdleLimitMs(text: string, where: string): number {
  const read = (name: string): number | undefined => {
    const m = new RegExp(`^\\s*timeout ${name} (\\d+)(ms|s|m)?\\s*$`, "m").exec(text);
    if (!m) return undefined;
    const unit = m[2] === "m" ? 60_000 : m[2] === "ms" ? 1 : 1000;
    return Number(m[1]) * unit;
  };
  const http = /^\s*mode http\s*$/m.test(text);
  const limit = (http ? read("http-keep-alive") : undefined) ?? read("client");
  if (limit === undefined) throw new DrillError(`${where}: the L7 nodes' haproxy.cfg sets no client timeout`);
  return limit;
}

export const TIER_ROLES = {
  routers: "router",
  l4Nodes: "l4-load-balancer",
  l7Nodes: "l7-load-balancer",
} as const;

/** The plans of every three-tier topology in the report whose hosts are containers of `stack`. */
export function planThreeTiers(stack: DrillStack, report: StackReport): ThreeTierPlan[] {
  const topologies = new Set(
    report.groups.filter((g) => g.role === TIER_ROLES.l4Nodes && g.topology).map((g) => g.topology as string),
  );
  return [...topologies].map((topology) => planThreeTier(stack, report, topology));
}

function planThreeTier(stack: DrillStack, report: StackReport, topology: string): ThreeTierPlan {
  const where = `three tiers ${topology}`;
  const group = (role: string) => {
    const g = report.groups.find((x) => x.topology === topology && x.role === role);
    if (!g) throw new DrillError(`${where}: the report has no ${role} group`);
    return g;
  };
  const l4Group = group(TIER_ROLES.l4Nodes);
  const routers = reportHosts(stack, group(TIER_ROLES.routers), where);
  const l4Nodes = reportHosts(stack, l4Group, where);
  const l7Nodes = reportHosts(stack, group(TIER_ROLES.l7Nodes), where);
  const floating = report.floatingAddresses.filter((f) => f.topology === topology);
  const service = floating.filter((f) => f.announcedBy === l4Group.id && f.address);
  const gateway = floating.find((f) => f.announcedBy === undefined && f.address)?.address;
  if (service.length === 0) throw new DrillError(`${where}: the report names no service address`);
  if (!gateway) throw new DrillError(`${where}: the report names no gateway address for the clients`);
  const servicePort = service[0]?.listenerPorts?.[0];
  if (servicePort === undefined) throw new DrillError(`${where}: the service address has no port`);
  const networks = new Set(routers.map((r) => r.container.network));
  const network = routers[0]?.container.network;
  if (network === undefined || networks.size !== 1) {
    throw new DrillError(`${where}: the drill needs the routers on one network (its clients sit there)`);
  }
  return {
    id: topology,
    routers,
    l4Nodes,
    l7Nodes,
    gateway,
    serviceAddresses: service.map((f) => f.address as string),
    servicePort,
    network,
    tunnelled: tunnelsToL7(
      l4Nodes[0]?.container.uploads.find((u) => u.file === L4_KEEPALIVED_CONF)?.content ?? "",
    ),
    idleLimitMs: haproxyIdleLimitMs(
      l7Nodes[0]?.container.uploads.find((u) => u.file === HAPROXY_CFG)?.content ?? "",
      where,
    ),
  };
}
