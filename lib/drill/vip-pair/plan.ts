/**
 * Recognizes a VIP pair in a synthesized Docker stack: two or more containers whose keepalived
 * share a virtual address, with HAProxy in front of backend containers.
 */

import { networkContains } from "../../model/ipam";
import { DrillError } from "../core/drill-error";
import type { DrillContainer, DrillStack } from "../core/stack";
import {
  type HaproxyServerConfig,
  type KeepalivedFacts,
  parseClaimAddresses,
  parseHaproxyCfg,
  parseKeepalivedConf,
  type VrrpInstanceConfig,
} from "./daemon-config";

/** Where the drill looks for the daemons' configuration inside a container. */
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
/** Where a node keeps the script that adds an instance's addresses after an ARP probe. */
export const claimScriptPath = (instance: string) => `/usr/local/sbin/ha-claim-${instance}`;

/** A load-balancer node of the pair. */
export interface VipPairNode {
  readonly container: DrillContainer;
  readonly hostname: string;
  /** Its address on the VIP's network. */
  readonly address: string;
  /** The node's VRRP instance that carries the VIP. */
  readonly instance: VrrpInstanceConfig;
  /** What HAProxy sends as `X-Load-Balancer` (the node's name in responses). */
  readonly loadBalancerName: string;
}

/** A backend HAProxy sends traffic to. */
export interface VipPairBackend {
  readonly container: DrillContainer;
  readonly hostname: string;
  readonly address: string;
  readonly port: number;
}

/** What a drill of a VIP pair needs to know. */
export interface VipPairPlan {
  readonly vip: string;
  /** Key of the network the VIP belongs to (where the drill's client sits). */
  readonly network: string;
  readonly port: number;
  readonly instanceName: string;
  readonly virtualRouterId: number;
  readonly vrrpVersion: number;
  /** Nodes by descending priority: the first holds the VIP while healthy. */
  readonly nodes: readonly VipPairNode[];
  readonly backends: readonly VipPairBackend[];
  readonly advertIntervalSeconds: number;
  /** false when the instances are `nopreempt`. */
  readonly preempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly unicast: boolean;
  /**
   * true when a new master adds the VIP only once no other node answers an ARP probe for it
   * (the nodes have claim scripts): a partition that lets ARP through then moves no client.
   */
  readonly addressProbe: boolean;
}

function upload(container: DrillContainer, path: string): string | undefined {
  return container.uploads.find((u) => u.file === path)?.content;
}

type Candidate = { readonly container: DrillContainer; readonly facts: KeepalivedFacts };

/** The node of `candidate` for the VRRP group `main` carrying `vip` on `network`. */
function nodeOf(c: Candidate, main: VrrpInstanceConfig, vip: string, network: string): VipPairNode {
  const { container, facts } = c;
  const instance = facts.instances.find((i) => i.virtualRouterId === main.virtualRouterId);
  if (!instance?.virtualAddresses.includes(vip)) {
    throw new DrillError(
      `${container.key}: no vrrp_instance with virtual_router_id ${main.virtualRouterId} carrying ${vip}; the pair's nodes disagree`,
    );
  }
  const haproxy = upload(container, HAPROXY_CFG);
  const header = haproxy
    ? parseHaproxyCfg(haproxy).frontends.find((f) => f.loadBalancerHeader)?.loadBalancerHeader
    : undefined;
  const attachment = container.attachments.find((a) => a.network === network);
  if (!attachment)
    throw new DrillError(`${container.key} carries the VIP ${vip} but is not on network ${network}`);
  return {
    container,
    hostname: container.hostname,
    address: attachment.address,
    instance,
    loadBalancerName: header ?? container.hostname,
  };
}

/** The port HAProxy serves the VIP on and the backends its default backend sends traffic to. */
function servedBy(
  stack: DrillStack,
  top: VipPairNode,
  vip: string,
): { port: number; backends: VipPairBackend[] } {
  const cfgText = upload(top.container, HAPROXY_CFG);
  if (cfgText === undefined) {
    throw new DrillError(
      `${top.container.key}: no ${HAPROXY_CFG}; the drill knows VIP pairs with HAProxy only`,
    );
  }
  const cfg = parseHaproxyCfg(cfgText);
  const frontend = cfg.frontends.find((f) =>
    f.binds.some((b) => b.address === vip || b.address === "0.0.0.0" || b.address === "*"),
  );
  if (!frontend?.defaultBackend) {
    throw new DrillError(`${top.container.key}: no HAProxy frontend binds ${vip} with a default_backend`);
  }
  const bind = frontend.binds.find((b) => b.address === vip) ?? frontend.binds[0];
  const servers: readonly HaproxyServerConfig[] = cfg.backends.get(frontend.defaultBackend) ?? [];
  const backends = servers.map((s): VipPairBackend => {
    const container = stack.containers.find((c) => c.attachments.some((a) => a.address === s.address));
    if (!container) {
      throw new DrillError(
        `HAProxy server ${s.name} (${s.address}) is not a container of stack ${stack.name}`,
      );
    }
    return { container, hostname: container.hostname, address: s.address, port: s.port };
  });
  if (backends.length === 0)
    throw new DrillError(`HAProxy backend ${frontend.defaultBackend} has no servers`);
  return { port: (bind as { port: number }).port, backends };
}

/**
 * The VIP pair of a stack. Throws a DrillError when the stack has none, or when its nodes
 * disagree on the virtual address.
 */
export function planVipPair(stack: DrillStack): VipPairPlan {
  const candidates: Candidate[] = stack.containers.flatMap((c) => {
    const text = upload(c, KEEPALIVED_CONF);
    if (text === undefined) return [];
    const parsed = parseKeepalivedConf(text);
    // Where a node adds an instance's addresses itself (after an ARP probe), its claim script
    // lists them; keepalived.conf holds a loopback marker instead.
    const facts: KeepalivedFacts = {
      ...parsed,
      instances: parsed.instances.map((i) => {
        const claim = upload(c, claimScriptPath(i.name));
        return claim === undefined ? i : { ...i, virtualAddresses: parseClaimAddresses(claim) };
      }),
    };
    return facts.instances.length ? [{ container: c, facts }] : [];
  });
  if (candidates.length < 2) {
    throw new DrillError(
      `no VIP pair in stack ${stack.name}: found ${candidates.length} container(s) with a keepalived vrrp_instance in ${KEEPALIVED_CONF}, need at least 2`,
    );
  }
  const first = candidates[0] as Candidate;
  const main = first.facts.instances[0] as VrrpInstanceConfig;
  const vip = main.virtualAddresses[0];
  if (!vip)
    throw new DrillError(`${first.container.key}: vrrp_instance ${main.name} has no virtual_ipaddress`);
  const network = stack.networks.find((n) => networkContains(n.subnet, vip));
  if (!network) throw new DrillError(`the VIP ${vip} lies on none of the stack's networks`);
  const nodes = candidates.map((c) => nodeOf(c, main, vip, network.key));
  nodes.sort((a, b) => b.instance.priority - a.instance.priority);
  const top = nodes[0] as VipPairNode;
  if (nodes.filter((n) => n.instance.priority === top.instance.priority).length > 1) {
    throw new DrillError(
      `the VIP pair's nodes share priority ${top.instance.priority}: no node is preferred`,
    );
  }
  const { port, backends } = servedBy(stack, top, vip);
  return {
    vip,
    network: network.key,
    port,
    instanceName: top.instance.name,
    virtualRouterId: main.virtualRouterId,
    vrrpVersion: first.facts.vrrpVersion,
    nodes,
    backends,
    advertIntervalSeconds: top.instance.advertIntervalSeconds,
    preempt: !top.instance.noPreempt,
    preemptDelaySeconds: top.instance.preemptDelaySeconds,
    unicast: top.instance.unicastPeers.length > 0,
    addressProbe: nodes.every((n) => upload(n.container, claimScriptPath(n.instance.name)) !== undefined),
  };
}
