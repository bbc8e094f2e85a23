/**
 * `bird.conf` (BIRD 2) of an L4 node of the three-tier load balancer: an external BGP session to
 * every router, each watched by BFD, announcing the service /32s while the node can serve them.
 *
 * Each service address is the one route of its own `protocol static`, named by
 * `serviceProtocolName` and started disabled: nothing is announced until the gate script
 * (`l4-gate.ts`) has seen a healthy L7 node for it and enables the protocol (`birdc enable`);
 * the gate disables it again (the routers withdraw the route) when the node is drained or no L7
 * node is healthy. A restarted BIRD therefore announces nothing until the gate says so again.
 *
 * What the config assumes: the routers are directly connected (single-hop BGP and BFD, the next
 * hop announced is this node's address on the shared segment); the service addresses are also
 * configured on a local interface of the node (e.g. `lo`), where IPVS receives their packets.
 * The static routes are `blackhole` routes only as BGP's source of the prefix: no kernel
 * protocol installs them and nothing is learned from the routers (`import none`).
 */
import type { ErrorLocation } from "../errors";
import {
  type BirdBgpPeer,
  type BirdSpeakerConfig,
  bfdProtocolLines,
  bgpPeerLines,
  bgpTemplateLines,
  checkSpeaker,
  deviceProtocolLines,
  logLines,
  SERVICE_SET,
  serviceSetLines,
} from "./bird-text";
import { generatedHeader, indent, lines } from "./text";

/** An L4 node's BIRD config; it announces `serviceAddresses` while the gate allows. */
export interface BirdL4Config extends BirdSpeakerConfig {
  /** One session per router; protocols are named `router_<name>`. */
  readonly routers: readonly BirdBgpPeer[];
}

const WHERE = "BIRD L4 node config";

/**
 * The name of the static protocol that announces `address` (checked: a dotted quad), e.g.
 * "svc_198_18_100_10": what the gate enables and disables.
 */
export function serviceProtocolName(address: string): string {
  return `svc_${address.replace(/\./g, "_")}`;
}

/** The protocol name of the session to a router, as `birdc show protocols` prints it. */
export function routerSessionName(peer: Pick<BirdBgpPeer, "name">): string {
  return `router_${peer.name}`;
}

/**
 * Renders the L4 node's bird.conf. Pure: the same input always gives the same text.
 * @param where - where errors point (the construct that deploys the node)
 */
export function renderBirdL4Conf(config: BirdL4Config, where: ErrorLocation = WHERE): string {
  const services = checkSpeaker(where, config, config.routers, "routers", "router");
  const statics = services.flatMap((address, i) => [
    ...(i > 0 ? [""] : []),
    `protocol static ${serviceProtocolName(address)} {`,
    ...indent(["disabled yes;", "ipv4;", `route ${address}/32 blackhole;`]),
    "}",
  ]);
  return lines(
    generatedHeader("#"),
    "# BIRD 2 on an L4 node: the service /32s announced to every router while the gate allows.",
    ...logLines(),
    `router id ${config.routerId};`,
    "",
    "# The service addresses: the only routes announced.",
    serviceSetLines(services),
    "",
    "filter service_announce {",
    ...indent([`if source = RTS_STATIC && net ~ ${SERVICE_SET} then accept;`, "reject;"]),
    "}",
    "",
    deviceProtocolLines(),
    "",
    bfdProtocolLines(where, config.bfd),
    "",
    "# One protocol per service address, disabled until the gate (ha-l4-gate) enables it: the",
    "# address is announced only while this node is not drained and has a healthy L7 node for it.",
    statics,
    "",
    bgpTemplateLines(where, "to_router", {
      localAsn: config.localAsn,
      passive: config.passive,
      timers: config.bgp,
      channel: ["import none;", "export filter service_announce;"],
    }),
    bgpPeerLines(where, "router", {
      prefix: "router_",
      template: "to_router",
      localAsn: config.localAsn,
      peers: config.routers,
    }),
  );
}
