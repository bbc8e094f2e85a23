import type { Construct } from "constructs";
import type { FailureDomain } from "../../model/availability";
import type { BfdTimers, BgpTimers } from "../../model/bgp";
import { type HostProcess, type HostSpec, Software } from "../../model/host-spec";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { renderBirdRouterConf, routerSysctls } from "../../render/bird-router";
import type { BirdBgpPeer } from "../../render/bird-text";
import { processDownFile } from "../../render/supervisor";
import type { VrrpGroup, VrrpNode } from "../parts/vrrp-group";

export const BIRD_CONF = "/etc/bird/bird.conf";
/**
 * BIRD's control socket: in /run/ha, which the supervisor makes; Debian's /run/bird comes from
 * systemd-tmpfiles, which a container does not run.
 */
export const BIRD_SOCKET = "/run/ha/bird.ctl";

/** BIRD in the foreground with its control socket at BIRD_SOCKET. */
export function birdProcess(): HostProcess {
  return { name: "bird", command: ["/usr/sbin/bird", "-f", "-c", BIRD_CONF, "-s", BIRD_SOCKET] };
}

/** The host's health: BIRD answers on its control socket. */
export const BIRD_HEALTH = ["/usr/sbin/birdc", "-s", BIRD_SOCKET, "show", "status"];

/** What every router shares. */
export interface RouterContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  readonly segment: ISegment;
  readonly serviceAddresses: readonly string[];
  readonly asn: number;
  readonly bfd: BfdTimers;
  readonly bgp: BgpTimers;
  /** The L4 nodes as BGP peers, read at synthesis. */
  readonly l4Nodes: () => readonly BirdBgpPeer[];
  /** The gateway clients route the service addresses through (VRRP between the routers). */
  readonly gateway: VrrpGroup;
  readonly trafficGroup: string;
}

/**
 * Router `index`: BIRD with a BGP + BFD session to every L4 node, the service /32s installed as
 * ECMP routes; keepalived holding the clients' gateway address while BIRD runs.
 */
export function addRouter(ctx: RouterContext, index: number, domain: FailureDomain): IHost {
  const { scope, platform, gateway } = ctx;
  const hostname = `${scope.node.id}-router-${index}`.toLowerCase();
  const attachment = platform.attachHost(scope, `${scope.node.path}/Router${index}`, ctx.segment, domain, 0);
  const vrrpNode = (): VrrpNode => ({
    index,
    routerId: hostname,
    address: attachment.lease.address,
    interfaceName: attachment.interfaceName,
  });
  const birdDown = { name: "bird_down", path: processDownFile("bird"), weight: 0, initialValue: 1 };
  const spec: HostSpec = {
    hostname,
    role: "router",
    failureDomain: domain,
    software: Software.debianPackages("ha-router", ["bird2", "procps", ...gateway.packages]),
    files: [
      {
        path: BIRD_CONF,
        content: () =>
          renderBirdRouterConf(
            {
              routerId: attachment.lease.address,
              localAsn: ctx.asn,
              l4Nodes: ctx.l4Nodes(),
              serviceAddresses: ctx.serviceAddresses,
              bfd: ctx.bfd,
              bgp: ctx.bgp,
              passive: false,
            },
            scope,
          ),
      },
      gateway.configFile(vrrpNode, [], [birdDown]),
      ...gateway.supportFiles(vrrpNode),
    ],
    processes: [birdProcess(), gateway.process],
    capabilities: gateway.capabilities,
    sysctls: routerSysctls(),
    attachments: [attachment],
    trafficGroup: ctx.trafficGroup,
    healthCommand: {
      command: BIRD_HEALTH,
      intervalSeconds: 2,
      timeoutSeconds: 1,
      retries: 3,
    },
  };
  return platform.addHost(scope, `Router${index}`, spec);
}
