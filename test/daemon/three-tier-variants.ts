/**
 * Rendered configs of the three-tier L3 and L4 nodes for the daemon tier: a few shapes a
 * construct will ask for (two or three L4 nodes, passive or active, several service
 * addresses, NAT, DR or TUN), each with the values the renderers accept.
 */
import { HealthCheck } from "../../lib/model/health-check";
import { type BirdL4Config, renderBirdL4Conf } from "../../lib/render/bird-l4";
import { type BirdRouterConfig, renderBirdRouterConf } from "../../lib/render/bird-router";
import { type IpvsKeepalivedConfig, renderIpvsKeepalivedConf } from "../../lib/render/ipvs-keepalived";
import { type L4GateConfig, renderL4Gate } from "../../lib/render/l4-gate";

export const BFD = { intervalMs: 100, multiplier: 3 };
export const BGP = {
  holdTimeSeconds: 9,
  keepaliveSeconds: 3,
  connectRetrySeconds: 1,
  errorWaitMinSeconds: 1,
  errorWaitMaxSeconds: 10,
};
export const SERVICES = ["198.18.100.10", "198.18.100.11"];

/** A rendered file and the shape it came from. */
export interface RenderedVariant {
  readonly name: string;
  readonly text: string;
}

const ROUTER: BirdRouterConfig = {
  routerId: "198.18.0.1",
  localAsn: 65000,
  l4Nodes: [
    { name: "a", address: "198.18.0.11", asn: 65100 },
    { name: "b", address: "198.18.0.12", asn: 65100 },
  ],
  serviceAddresses: SERVICES,
  bfd: BFD,
  bgp: BGP,
  passive: false,
};

export const ROUTER_VARIANTS: readonly RenderedVariant[] = [
  { name: "two L4 nodes, active", config: ROUTER },
  {
    name: "three L4 nodes in their own ASes, passive, 4-byte AS, path limit",
    config: {
      ...ROUTER,
      localAsn: 4_200_000_000,
      passive: true,
      maxPaths: 8,
      l4Nodes: [
        { name: "a", address: "198.18.0.11", asn: 4_200_000_011 },
        { name: "b", address: "198.18.0.12", asn: 4_200_000_012 },
        { name: "c_3", address: "198.18.1.13", asn: 4_200_000_013, localAddress: "198.18.1.1" },
      ],
    },
  },
  {
    name: "one service address, slow BFD, long hold time",
    config: {
      ...ROUTER,
      serviceAddresses: ["203.0.113.80/32"],
      bfd: { intervalMs: 60_000, multiplier: 255 },
      bgp: { ...BGP, holdTimeSeconds: 65_535, keepaliveSeconds: 32_767, errorWaitMaxSeconds: 65_535 },
    },
  },
].map((v) => ({ name: v.name, text: renderBirdRouterConf(v.config) }));

const L4: BirdL4Config = {
  routerId: "198.18.0.11",
  localAsn: 65100,
  routers: [
    { name: "r1", address: "198.18.0.1", asn: 65000 },
    { name: "r2", address: "198.18.0.2", asn: 65000 },
  ],
  serviceAddresses: SERVICES,
  bfd: BFD,
  bgp: BGP,
  passive: false,
};

export const L4_VARIANTS: readonly RenderedVariant[] = [
  { name: "two routers, two service addresses", config: L4 },
  {
    name: "one router, passive, fast BFD, source address",
    config: {
      ...L4,
      passive: true,
      bfd: { intervalMs: 10, multiplier: 1 },
      routers: [{ name: "edge_1", address: "198.18.0.1", asn: 64512, localAddress: "198.18.0.11" }],
      serviceAddresses: ["198.18.100.10/32"],
    },
  },
].map((v) => ({ name: v.name, text: renderBirdL4Conf(v.config) }));

export const GATE_VARIANTS: readonly RenderedVariant[] = (
  [
    { intervalMs: 200, virtualServers: [{ address: "198.18.100.10", port: 80 }] },
    {
      intervalMs: 1000,
      announceWhen: "any-port-healthy",
      drainFile: "/var/lib/ha/drain",
      birdSocket: "/run/bird/l4.ctl",
      virtualServers: [
        { address: "198.18.100.10", port: 80 },
        { address: "198.18.100.10", port: 443 },
        { address: "198.18.100.11", port: 53, protocol: "UDP" },
      ],
    },
  ] satisfies L4GateConfig[]
).map((config, i) => ({ name: `gate ${i + 1}`, text: renderL4Gate(config) }));

const IPVS: IpvsKeepalivedConfig = {
  routerId: "l4-a",
  method: "TUN",
  virtualServers: [
    {
      address: "198.18.100.10",
      port: 80,
      realServers: [
        { address: "198.18.2.11" },
        { address: "198.18.2.12" },
        { address: "198.18.2.13", weight: 3 },
      ],
      healthCheck: HealthCheck.http({ path: "/healthz?full=1", intervalMs: 500, timeoutMs: 200 }),
    },
    {
      address: "198.18.100.10",
      port: 443,
      realServers: [{ address: "198.18.2.11" }, { address: "198.18.2.12" }],
      healthCheck: HealthCheck.tcp({ port: 8443, unhealthyThreshold: 1 }),
    },
  ],
};

/** IPVS configs; `quorumScript` names the gate for the variant that calls it. */
export function ipvsVariants(quorumScript: string): readonly RenderedVariant[] {
  return [
    { name: "TUN, HTTP and TCP checks", config: IPVS },
    { name: "DR", config: { ...IPVS, method: "DR" } },
    {
      name: "NAT with other real server ports, UDP, quorum command",
      config: {
        ...IPVS,
        method: "NAT",
        quorumCommand: [quorumScript, "once"],
        virtualServers: [
          {
            address: "198.18.100.11",
            port: 80,
            realServers: [{ address: "198.18.2.11", port: 8080 }],
            healthCheck: HealthCheck.http({ expectedStatus: 204, unhealthyThreshold: 10 }),
          },
          {
            address: "198.18.100.11",
            port: 53,
            protocol: "UDP",
            realServers: [{ address: "198.18.2.11" }],
            healthCheck: HealthCheck.tcp(),
          },
        ],
      },
    },
  ].map((v) => ({ name: v.name, text: renderIpvsKeepalivedConf(v.config as IpvsKeepalivedConfig) }));
}
