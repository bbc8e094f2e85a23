import type { Construct } from "constructs";
import {
  type Capability,
  type HostFile,
  type HostProcess,
  type HostSpec,
  Software,
} from "../../model/host-spec";
import type { Spread } from "../../model/placement";
import type { HealthCheckedMember } from "../../platforms/health-checked-name";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { HAPROXY_CFG, type HaproxyProxy } from "./haproxy-proxy";

/** What HAProxy nodes that each serve on their own address need from their topology. */
export interface HaproxyNodesContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  readonly proxy: HaproxyProxy;
  readonly segment: ISegment;
  readonly spread: Spread;
  readonly trafficGroup: string;
  /** Hosts the nodes start after (the backends), read at synthesis. */
  readonly startsAfter: () => readonly string[];
  /** What a topology adds to every node (a tunnel interface, more listen addresses, ...). */
  readonly extras?: HaproxyNodeExtras;
  /** Host names are `<prefix>-<index>`. @default - `<scope id>-lb` */
  readonly hostnamePrefix?: string;
}

/** What a topology adds to each HAProxy node. */
export interface HaproxyNodeExtras {
  /** More addresses the listeners bind (needs `net.ipv4.ip_nonlocal_bind` unless they are local). */
  readonly bindAddresses?: readonly string[];
  /** More Debian packages; give them with an `imageName` of their own (one package set per image). */
  readonly packages?: readonly string[];
  /** @default "ha-lb" */
  readonly imageName?: string;
  readonly files?: readonly HostFile[];
  readonly processes?: readonly HostProcess[];
  readonly capabilities?: readonly Capability[];
  readonly sysctls?: Readonly<Record<string, string>>;
}

/**
 * Makes node `index` (hostname `<prefix>-<index>`, by default `<scope id>-lb-<index>`): HAProxy alone, no VRRP, each node
 * serving on its own address (a DNS pool's member, a three-tier L7 node), its health endpoint
 * bound there too for checkers on other hosts and failing while the node has no backend up.
 */
export function addHaproxyNode(ctx: HaproxyNodesContext, index: number): IHost {
  const { scope, platform, proxy } = ctx;
  const hostname = `${ctx.hostnamePrefix ?? `${scope.node.id}-lb`}-${index}`.toLowerCase();
  const failureDomain = ctx.spread.domainFor(scope, "node", index, platform.failureDomains);
  const attachment = platform.attachHost(
    scope,
    `${scope.node.path}/Node${index}`,
    ctx.segment,
    failureDomain,
    0,
  );
  const address = () => attachment.lease.address;
  const extras = ctx.extras ?? {};
  const spec: HostSpec = {
    hostname,
    role: "load-balancer",
    failureDomain,
    software: Software.debianPackages(extras.imageName ?? "ha-lb", [
      ...proxy.packages,
      ...(extras.packages ?? []),
    ]),
    files: [
      {
        path: HAPROXY_CFG,
        content: () =>
          proxy.config(hostname, [address(), ...(extras.bindAddresses ?? [])], { addresses: [address()] }),
      },
      ...(extras.files ?? []),
    ],
    processes: [...(extras.processes ?? []), proxy.process],
    capabilities: [...(extras.capabilities ?? [])],
    sysctls: { ...(extras.sysctls ?? {}) },
    attachments: [attachment],
    trafficGroup: ctx.trafficGroup,
    startsAfter: ctx.startsAfter,
    healthCommand: { command: proxy.healthCommand, intervalSeconds: 2, timeoutSeconds: 1, retries: 3 },
  };
  return platform.addHost(scope, `Node${index}`, spec);
}

/** The nodes as members of a health-checked name. */
export function haproxyNodeMembers(nodes: readonly IHost[], trafficGroup: string): HealthCheckedMember[] {
  return nodes.map((host) => ({
    name: host.hostname,
    address: host.address,
    componentId: host.node.path,
    host,
    trafficGroup,
  }));
}
