import type { Construct } from "constructs";
import type { FailureDomain } from "../../model/availability";
import type { BfdTimers, BgpTimers } from "../../model/bgp";
import { Capability, type HostSpec, Software } from "../../model/host-spec";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { renderBirdL4Conf } from "../../render/bird-l4";
import type { BirdBgpPeer } from "../../render/bird-text";
import {
  type IpvsHealthCheck,
  type IpvsMethod,
  ipvsDetectionTimeMs,
  ipvsL4Sysctls,
  renderIpvsKeepalivedConf,
} from "../../render/ipvs-keepalived";
import { renderL4Gate } from "../../render/l4-gate";
import { renderServiceAddressScript } from "../../render/service-address-script";
import { BIRD_CONF, BIRD_HEALTH, BIRD_SOCKET, birdProcess } from "./routers";

export const L4_KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const L4_GATE = "/usr/local/sbin/ha-l4-gate";
export const L4_SETUP = "/usr/local/sbin/ha-l4-addresses";
const L4_KEEPALIVED_PID = "/run/ha/keepalived-main.pid";

/** What every L4 node shares. */
export interface L4Context {
  readonly scope: Construct;
  readonly platform: IPlatform;
  readonly segment: ISegment;
  readonly serviceAddresses: readonly string[];
  readonly ports: readonly number[];
  readonly method: IpvsMethod;
  readonly asn: number;
  readonly bfd: BfdTimers;
  readonly bgp: BgpTimers;
  readonly gateIntervalMs: number;
  /** The routers as BGP peers, read at synthesis. */
  readonly routers: () => readonly BirdBgpPeer[];
  /** The L7 nodes' addresses, in one order on every L4 node (read at synthesis). */
  readonly l7Addresses: () => readonly string[];
  readonly l7Check: IpvsHealthCheck;
  readonly trafficGroup: string;
}

/** L4 node `index`: BIRD announcing the service /32s while the gate allows, keepalived running IPVS. */
export function addL4Node(ctx: L4Context, index: number, domain: FailureDomain): IHost {
  const { scope, platform } = ctx;
  const hostname = `${scope.node.id}-l4-${index}`.toLowerCase();
  const attachment = platform.attachHost(scope, `${scope.node.path}/L4Node${index}`, ctx.segment, domain, 0);
  const address = () => attachment.lease.address;
  const virtualServers = () =>
    ctx.serviceAddresses.flatMap((a) =>
      ctx.ports.map((port) => ({
        address: a,
        port,
        realServers: ctx.l7Addresses().map((r) => ({ address: r })),
        healthCheck: ctx.l7Check,
      })),
    );
  const spec: HostSpec = {
    hostname,
    role: "l4-load-balancer",
    failureDomain: domain,
    software: Software.debianPackages("ha-l4", [
      "bird2",
      "keepalived",
      "ipvsadm",
      "iproute2",
      "procps",
      "curl",
    ]),
    files: [
      {
        path: BIRD_CONF,
        content: () =>
          renderBirdL4Conf(
            {
              routerId: address(),
              localAsn: ctx.asn,
              routers: ctx.routers(),
              serviceAddresses: ctx.serviceAddresses,
              bfd: ctx.bfd,
              bgp: ctx.bgp,
              passive: false,
            },
            scope,
          ),
      },
      {
        path: L4_KEEPALIVED_CONF,
        content: () =>
          renderIpvsKeepalivedConf(
            {
              routerId: hostname,
              method: ctx.method,
              virtualServers: virtualServers(),
              quorumCommand: [L4_GATE, "once"],
            },
            scope,
          ),
      },
      {
        path: L4_GATE,
        content: () =>
          renderL4Gate(
            {
              virtualServers: virtualServers(),
              intervalMs: ctx.gateIntervalMs,
              // One full round of health checks after keepalived starts; after being cut off, until
              // every check attempt begun meanwhile has ended (an HTTP attempt can wait its
              // timeout twice, to connect and for the answer) and the gate has looked once more.
              holdDownSeconds: Math.ceil(ipvsDetectionTimeMs(ctx.l7Check) / 1000),
              cutOffHoldDownMs: 2 * ctx.l7Check.timeoutMs + ctx.gateIntervalMs,
              keepalivedPidFile: L4_KEEPALIVED_PID,
              birdSocket: BIRD_SOCKET,
            },
            scope,
          ),
        executable: true,
      },
      {
        path: L4_SETUP,
        content: renderServiceAddressScript({
          addresses: ctx.serviceAddresses,
          interfaceName: "lo",
          why: "The service addresses on loopback: IPVS balances packets addressed to local addresses.",
        }),
        executable: true,
      },
    ],
    processes: [
      { name: "l4-addresses", command: [L4_SETUP] },
      birdProcess(),
      {
        name: "keepalived",
        command: [
          "/usr/sbin/keepalived",
          "--dont-fork",
          "--log-console",
          "--log-detail",
          "--check",
          `--use-file=${L4_KEEPALIVED_CONF}`,
          `--pid=${L4_KEEPALIVED_PID}`,
          "--checkers_pid=/run/ha/keepalived-checkers.pid",
        ],
      },
      { name: "l4-gate", command: [L4_GATE, "run"] },
    ],
    capabilities: [Capability.NET_ADMIN, Capability.NET_RAW],
    sysctls: ipvsL4Sysctls(ctx.method),
    attachments: [attachment],
    trafficGroup: ctx.trafficGroup,
    healthCommand: {
      command: BIRD_HEALTH,
      intervalSeconds: 2,
      timeoutSeconds: 1,
      retries: 3,
    },
  };
  return platform.addHost(scope, `L4Node${index}`, spec);
}
