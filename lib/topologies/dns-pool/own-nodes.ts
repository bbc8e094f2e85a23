import type { Construct } from "constructs";
import { type HostSpec, Software } from "../../model/host-spec";
import type { Spread } from "../../model/placement";
import type { HealthCheckedMember } from "../../platforms/health-checked-name";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { HAPROXY_CFG, type HaproxyProxy } from "../parts/haproxy-proxy";

/** What the pool's own HAProxy nodes need from the pool. */
export interface OwnNodesContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  readonly proxy: HaproxyProxy;
  readonly segment: ISegment;
  readonly spread: Spread;
  readonly trafficGroup: string;
  /** Hosts the nodes start after (the backends), read at synthesis. */
  readonly startsAfter: () => readonly string[];
}

/**
 * Makes node `index`: HAProxy alone (no VRRP: each node is a member with its own address),
 * listening on the node's address, its health endpoint bound there too for the DNS checker and
 * failing while the node has no backend up.
 */
export function addOwnNode(ctx: OwnNodesContext, index: number): IHost {
  const { scope, platform, proxy } = ctx;
  const hostname = `${scope.node.id}-lb-${index}`.toLowerCase();
  const failureDomain = ctx.spread.domainFor(scope, "node", index, platform.failureDomains);
  const attachment = platform.attachHost(
    scope,
    `${scope.node.path}/Node${index}`,
    ctx.segment,
    failureDomain,
    0,
  );
  const address = () => attachment.lease.address;
  const spec: HostSpec = {
    hostname,
    role: "load-balancer",
    failureDomain,
    software: Software.debianPackages("ha-lb", proxy.packages),
    files: [
      {
        path: HAPROXY_CFG,
        content: () => proxy.config(hostname, [address()], { addresses: [address()] }),
      },
    ],
    processes: [proxy.process],
    capabilities: [],
    sysctls: {},
    attachments: [attachment],
    trafficGroup: ctx.trafficGroup,
    startsAfter: ctx.startsAfter,
    healthCommand: { command: proxy.healthCommand, intervalSeconds: 2, timeoutSeconds: 1, retries: 3 },
  };
  return platform.addHost(scope, `Node${index}`, spec);
}

/** The own nodes as members of the name. */
export function ownNodeMembers(nodes: readonly IHost[], trafficGroup: string): HealthCheckedMember[] {
  return nodes.map((host) => ({
    name: host.hostname,
    address: host.address,
    componentId: host.node.path,
    host,
    trafficGroup,
  }));
}
