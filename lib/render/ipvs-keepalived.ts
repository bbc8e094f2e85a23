/**
 * `keepalived.conf` of an L4 node of the three-tier load balancer: keepalived as the IPVS
 * controller only (no VRRP), one `virtual_server` per service address and port, scheduled by
 * Maglev hashing (`lvs_sched mh` with `mh-port`: source address and port), a `real_server` per
 * L7 node with an HTTP or TCP health check, and no connection synchronization between nodes:
 * every L4 node builds the same Maglev table from the same real servers, so a flow that ECMP
 * moves to another L4 node reaches the same L7 node there (with `sloppy_tcp`: `ipvsL4Sysctls`).
 *
 * The Maglev table of a service is a function of its destinations, their order in IPVS's list
 * and the weights the kernel keeps for them (the hash keys are fixed). Three choices make it the
 * same on every node at all times, whatever each node's health history:
 * - `inhibit_on_failure`: a failed real server stays in IPVS at weight 0 instead of being
 *   removed, and the kernel keeps building the table from its last non-zero weight: the dead
 *   server keeps its slots, no other server's flows move, and the list keeps its order.
 * - `mh-fallback`: a flow whose slot belongs to a server at weight 0 is hashed again to a live
 *   server, the same one on every node; without it such a flow finds no destination and is
 *   dropped.
 * - No `alpha`: keepalived adds every real server at its configured weight. A server added at
 *   weight 0 (as `alpha` does) has no slots at all, so a node started while an L7 node was down
 *   would build another table than the nodes that saw it fail, and flows ECMP moves between
 *   them would change L7 node. Until its first checks have run, a starting node counts every
 *   server up: the gate's hold-down (`holdDownSeconds`) keeps it unannounced meanwhile.
 *
 * Real servers are rendered in the order given: give every node the same order.
 */
import { type ErrorLocation, invalid } from "../errors";
import { assertDistinct, assertServiceAddress, assertUnicastIpv4 } from "../model/bgp";
import { assertCommand, assertIntegerInRange, assertName, assertPort } from "../model/config-text";
import { HealthCheckKind } from "../model/health-check";
import { generatedHeader, indent, lines, seconds } from "./text";

/**
 * How IPVS hands a packet to the L7 node.
 * - "TUN" (recommended): IP-in-IP to the L7 node, which answers the client directly. The L4 node
 *   sees only the client's packets, the L7 nodes may sit on any segment the L4 node routes to,
 *   and no L4 node is on the return path (a flow survives whichever L4 node ECMP picks). The L7
 *   node needs the `ipip` module, `tunl0` up with the service address on it, and
 *   `rp_filter=0` on `tunl0` and `all` (the decapsulated packet's source is the client).
 * - "DR": the packet goes unchanged to the L7 node's MAC: L7 nodes on the L4 node's segment, with
 *   the service address on `lo` and `arp_ignore=1`, `arp_announce=2` so they never answer ARP
 *   for it.
 * - "NAT": the destination is rewritten to the L7 node, which must route its answers back through
 *   the same L4 node (its default gateway): replies pass the L4 tier, and a flow that ECMP moves
 *   to another L4 node breaks.
 */
export type IpvsMethod = "TUN" | "DR" | "NAT";

/** An L7 node behind a virtual service. */
export interface IpvsRealServer {
  readonly address: string;
  /** @default - the virtual service's port */
  readonly port?: number;
  /** @default 1 */
  readonly weight?: number;
}

/**
 * The health check of the real servers: the fields of the portable `HealthCheck` keepalived
 * uses (a `HealthCheck` instance fits), HTTP or TCP.
 * keepalived checks every `intervalMs` (`delay_loop`), allows `timeoutMs` per attempt
 * (`connect_timeout`) and, after a failed attempt on a live server, tries `unhealthyThreshold - 1`
 * more times (`retry`) `intervalMs` apart (`delay_before_retry`) before it sets the weight to 0.
 * keepalived has no rise count: one passing check brings a server back.
 */
export interface IpvsHealthCheck {
  readonly kind: HealthCheckKind;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly unhealthyThreshold: number;
  /** HTTP: request path. */
  readonly path?: string;
  /** HTTP: expected status. */
  readonly expectedStatus?: number;
  /** @default - the real server's port */
  readonly port?: number;
}

export interface IpvsVirtualServer {
  /** The service address (the /32 the node announces, configured on a local interface). */
  readonly address: string;
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
  /** The L7 nodes, in the same order on every L4 node. */
  readonly realServers: readonly IpvsRealServer[];
  readonly healthCheck: IpvsHealthCheck;
}

export interface IpvsKeepalivedConfig {
  /** keepalived's `router_id` (a name, e.g. the host name). */
  readonly routerId: string;
  readonly method: IpvsMethod;
  readonly virtualServers: readonly IpvsVirtualServer[];
  /**
   * Run when a virtual service gains its first live real server (`quorum_up`) or loses its last
   * (`quorum_down`), e.g. the gate's `once` so that the announcement follows at once.
   * @default - none: the gate notices at its next round
   */
  readonly quorumCommand?: readonly string[];
}

const WHERE = "IPVS keepalived config";

/** An HTTP path keepalived reads as one word: no '!' or '#' (comments), quotes or spaces. */
const KEEPALIVED_URL_PATH = /^\/[A-Za-z0-9._~%/:@,+=*&?-]{0,1023}$/;

function checkLines(where: ErrorLocation, check: IpvsHealthCheck): string[] {
  assertIntegerInRange(where, "health check intervalMs", check.intervalMs, 100, 3_600_000);
  assertIntegerInRange(where, "health check timeoutMs", check.timeoutMs, 10, check.intervalMs);
  const retry =
    assertIntegerInRange(where, "health check unhealthyThreshold", check.unhealthyThreshold, 1, 10) - 1;
  const timing = [
    `connect_timeout ${seconds(check.timeoutMs)}`,
    `retry ${retry}`,
    `delay_before_retry ${seconds(check.intervalMs)}`,
    ...(check.port !== undefined
      ? [`connect_port ${assertPort(where, "health check port", check.port)}`]
      : []),
  ];
  if (check.kind === HealthCheckKind.TCP) return ["TCP_CHECK {", ...indent(timing), "}"];
  if (check.kind !== HealthCheckKind.HTTP) {
    invalid(where, "health check kind", check.kind, "use an HTTP or TCP health check for the L7 nodes");
  }
  const path = check.path ?? "/";
  if (typeof path !== "string" || !KEEPALIVED_URL_PATH.test(path)) {
    invalid(
      where,
      "health check path",
      path,
      "use an HTTP path that starts with '/' without '!', '#', quotes or spaces",
    );
  }
  const status = assertIntegerInRange(
    where,
    "health check expectedStatus",
    check.expectedStatus ?? 200,
    100,
    599,
  );
  return [
    "HTTP_GET {",
    ...indent(["url {", ...indent([`path ${path}`, `status_code ${status}`]), "}", ...timing]),
    "}",
  ];
}

function virtualServerLines(
  where: ErrorLocation,
  config: IpvsKeepalivedConfig,
  vs: IpvsVirtualServer,
): string[] {
  const address = assertServiceAddress(where, "virtual server address", vs.address);
  const port = assertPort(where, "virtual server port", vs.port);
  const protocol = vs.protocol ?? "TCP";
  if (protocol !== "TCP" && protocol !== "UDP")
    invalid(where, "virtual server protocol", protocol, "use TCP or UDP");
  if (!Array.isArray(vs.realServers) || vs.realServers.length === 0) {
    invalid(where, `real servers of ${address}:${port}`, vs.realServers, "give at least one real server");
  }
  const check = checkLines(where, vs.healthCheck);
  const reals = vs.realServers.map((rs) => {
    const rsAddress = assertUnicastIpv4(where, "real server address", rs.address);
    const rsPort = assertPort(where, "real server port", rs.port ?? port);
    if (config.method !== "NAT" && rsPort !== port) {
      invalid(
        where,
        "real server port",
        rsPort,
        `use the virtual service's port ${port}: only NAT rewrites ports`,
      );
    }
    const weight = assertIntegerInRange(where, "real server weight", rs.weight ?? 1, 1, 65_535);
    return { rsAddress, rsPort, weight };
  });
  assertDistinct(
    where,
    "real server",
    reals.map((r) => `${r.rsAddress}:${r.rsPort}`),
  );
  const quorum = config.quorumCommand
    ? [
        `quorum_up "${assertCommand(where, "quorum command", config.quorumCommand).join(" ")}"`,
        `quorum_down "${config.quorumCommand.join(" ")}"`,
      ]
    : [];
  return [
    "",
    `virtual_server ${address} ${port} {`,
    ...indent([
      `protocol ${protocol}`,
      "lvs_sched mh",
      "mh-port",
      "mh-fallback",
      `lvs_method ${config.method}`,
      `delay_loop ${seconds(vs.healthCheck.intervalMs)}`,
      "inhibit_on_failure",
      "quorum 1",
      ...quorum,
      ...reals.flatMap((r) => [
        `real_server ${r.rsAddress} ${r.rsPort} {`,
        ...indent([`weight ${r.weight}`, ...check]),
        "}",
      ]),
    ]),
    "}",
  ];
}

/**
 * Renders the L4 node's keepalived.conf. Pure: the same input always gives the same text.
 * @param where - where errors point (the construct that deploys the node)
 */
export function renderIpvsKeepalivedConf(config: IpvsKeepalivedConfig, where: ErrorLocation = WHERE): string {
  assertName(where, "router id", config.routerId);
  if (config.method !== "TUN" && config.method !== "DR" && config.method !== "NAT") {
    invalid(where, "forwarding method", config.method, "use TUN, DR or NAT");
  }
  if (!Array.isArray(config.virtualServers) || config.virtualServers.length === 0) {
    invalid(where, "virtual servers", config.virtualServers, "give at least one virtual server");
  }
  assertDistinct(
    where,
    "virtual server",
    config.virtualServers.map(
      (vs) => `${vs.protocol ?? "TCP"}:${String(vs.address).replace(/\/32$/, "")}:${vs.port}`,
    ),
  );
  return lines(
    generatedHeader("#"),
    "# keepalived on an L4 node: IPVS virtual services with Maglev hashing and health-checked L7 nodes;",
    "# no VRRP and no connection synchronization (every node builds the same Maglev table).",
    "global_defs {",
    ...indent([
      `router_id ${config.routerId}`,
      ...(config.quorumCommand ? ["script_user root", "enable_script_security"] : []),
    ]),
    "}",
    config.virtualServers.flatMap((vs) => virtualServerLines(where, config, vs)),
  );
}

/**
 * Worst-case time from an L7 node's death until keepalived sets its weight to 0 with `check`:
 * up to one `delay_loop` until the next check, then `unhealthyThreshold` attempts that each time
 * out, `delay_before_retry` apart.
 */
export function ipvsDetectionTimeMs(
  check: Pick<IpvsHealthCheck, "intervalMs" | "timeoutMs" | "unhealthyThreshold">,
): number {
  return (
    check.intervalMs +
    check.unhealthyThreshold * check.timeoutMs +
    (check.unhealthyThreshold - 1) * check.intervalMs
  );
}

/**
 * Sysctls of an L4 node:
 * - `net.ipv4.vs.sloppy_tcp=1`: IPVS takes up a TCP flow from any packet, not only a SYN, so a
 *   flow ECMP moves here from another L4 node is forwarded (to the same L7 node: same table).
 * - `net.ipv4.vs.expire_nodest_conn=1`: a packet of a connection whose real server was removed
 *   drops the connection entry at once, and the client's retry is scheduled anew.
 * - `net.ipv4.vs.conntrack=0`: no netfilter connection tracking of IPVS traffic (no state that a
 *   node taking a moved flow would lack, and no conntrack table to fill).
 * - `net.ipv4.vs.schedule_icmp=1`: ICMP errors about a flow (e.g. "fragmentation needed") go to
 *   the flow's L7 node.
 * - NAT only: `net.ipv4.ip_forward=1`, the L7 nodes' replies are routed through the node.
 */
export function ipvsL4Sysctls(method: IpvsMethod): Record<string, string> {
  return {
    "net.ipv4.vs.sloppy_tcp": "1",
    "net.ipv4.vs.expire_nodest_conn": "1",
    "net.ipv4.vs.conntrack": "0",
    "net.ipv4.vs.schedule_icmp": "1",
    ...(method === "NAT" ? { "net.ipv4.ip_forward": "1" } : {}),
  };
}

/** What an L7 node needs to accept what the method delivers (see `IpvsMethod`). */
export interface IpvsL7Requirements {
  /** Interface the service addresses go on (as /32s); undefined for NAT (none needed). */
  readonly serviceInterface?: "tunl0" | "lo";
  /** Kernel module to load first (`ipip` for `tunl0`). */
  readonly module?: "ipip";
  readonly sysctls: Record<string, string>;
}

/** The L7 side of `method`: where the service addresses go and which sysctls it needs. */
export function ipvsL7Requirements(method: IpvsMethod): IpvsL7Requirements {
  if (method === "TUN") {
    return {
      serviceInterface: "tunl0",
      module: "ipip",
      sysctls: {
        "net.ipv4.conf.all.rp_filter": "0",
        "net.ipv4.conf.tunl0.rp_filter": "0",
        "net.ipv4.conf.all.arp_ignore": "1",
        "net.ipv4.conf.all.arp_announce": "2",
      },
    };
  }
  if (method === "DR") {
    return {
      serviceInterface: "lo",
      sysctls: { "net.ipv4.conf.all.arp_ignore": "1", "net.ipv4.conf.all.arp_announce": "2" },
    };
  }
  return { sysctls: {} };
}
