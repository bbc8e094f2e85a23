/**
 * The VIP pair variants the daemon checks cover, and the files each one deploys.
 *
 * Every variant is built with the public constructs on a DockerPlatform and synthesized; the
 * files come from the `upload` entries of the synthesized `docker_container`s, so the checks see
 * exactly what `cdktf deploy` would put on the hosts.
 */
import { TerraformStack, Testing } from "cdktf";
import {
  BackendPool,
  type BackendPoolProps,
  Balance,
  DockerPlatform,
  HealthCheck,
  ProxyMode,
  Stickiness,
  VipPair,
  type VipPairProps,
  VrrpVersion,
} from "../../lib";
import { resourcesOfType, synthJson } from "../../lib/testing";

/** Subnet of every variant; inside 198.18.0.0/15, so namespaces may use its addresses. */
export const SUBNET = "198.18.0.0/24";
export const VIRTUAL_IP = "198.18.0.10";
export const EXTRA_VIRTUAL_IP = "198.18.0.11";

export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
export const NOTIFY_SCRIPT = "/etc/keepalived/ha-notify.sh";
export const SUPERVISOR_SCRIPT = "/usr/local/sbin/ha-supervise";

/** One VIP pair configuration to check. */
export interface VipPairVariant {
  readonly name: string;
  readonly pool?: BackendPoolProps;
  readonly pair?: Omit<VipPairProps, "virtualIp" | "backends">;
  /** Changes after construction (e.g. `addVirtualIp`). */
  readonly after?: (pair: VipPair) => void;
}

/** One synthesized container and the files uploaded to it. */
export interface DeployedHost {
  readonly hostname: string;
  /** Static address on the platform network. */
  readonly address: string;
  /** Prefix length of the platform network. */
  readonly prefixLength: number;
  /** Uploaded files by path. */
  readonly files: ReadonlyMap<string, { readonly content: string; readonly executable: boolean }>;
}

const balances: Array<[string, () => Balance]> = [
  ["roundRobin", () => Balance.roundRobin()],
  ["leastConnections", () => Balance.leastConnections()],
  ["powerOfTwoChoices", () => Balance.powerOfTwoChoices()],
  ["consistentHashSource", () => Balance.consistentHashSource()],
  ['consistentHashHeader("X-User")', () => Balance.consistentHashHeader("X-User")],
];

/** Every variant the daemon checks run over. */
export const VARIANTS: readonly VipPairVariant[] = [
  { name: "default: 2 nodes, multicast, VRRPv3, HTTP check" },
  { name: "unicast", pair: { unicast: true } },
  { name: "VRRPv2, advertIntervalMs 1000", pair: { vrrpVersion: VrrpVersion.V2, advertIntervalMs: 1000 } },
  { name: "preempt false (nopreempt)", pair: { preempt: false } },
  { name: "preemptDelaySeconds 0", pair: { preemptDelaySeconds: 0 } },
  { name: "3 nodes", pair: { nodeCount: 3 } },
  { name: "3 nodes, unicast", pair: { nodeCount: 3, unicast: true } },
  {
    name: "second VIP (addVirtualIp)",
    after: (pair) => pair.addVirtualIp("Extra", { address: EXTRA_VIRTUAL_IP }),
  },
  {
    name: "second VIP, 3 nodes, unicast, nopreempt",
    pair: { nodeCount: 3, unicast: true, preempt: false },
    after: (pair) => pair.addVirtualIp("Extra", { address: EXTRA_VIRTUAL_IP, virtualRouterId: 200 }),
  },
  {
    name: "notify commands",
    pair: {
      notify: {
        master: ["/usr/local/bin/on-vrrp", "master", "--quiet"],
        backup: ["/usr/local/bin/on-vrrp", "backup"],
        fault: ["/usr/local/bin/on-vrrp", "fault"],
        stop: ["/usr/local/bin/on-vrrp", "stop"],
      },
    },
  },
  {
    name: "custom ports, priorities, advert 1 s",
    pair: {
      listenerPort: 8443,
      healthPort: 9404,
      statsPort: 9405,
      priorities: [200, 120],
      advertIntervalMs: 1000,
      maxConnections: 100_000,
      retries: 0,
      passiveErrorLimit: 10,
    },
  },
  { name: "TCP mode, HealthCheck.tcp()", pool: { healthCheck: HealthCheck.tcp() } },
  {
    name: "TCP mode explicit over an HTTP check, check port 9000",
    pool: { healthCheck: HealthCheck.http({ path: "/healthz", port: 9000 }) },
    pair: { mode: ProxyMode.TCP },
  },
  {
    name: "HTTP check with timing, expected status 204",
    pool: {
      healthCheck: HealthCheck.http({
        path: "/ready",
        expectedStatus: 204,
        intervalMs: 1500,
        timeoutMs: 250,
        healthyThreshold: 3,
        unhealthyThreshold: 4,
      }),
    },
  },
  ...balances.map(([name, balance]) => ({ name: `HTTP, Balance.${name}`, pair: { balance: balance() } })),
  ...balances
    .filter(([name]) => !name.startsWith("consistentHashHeader"))
    .map(([name, balance]) => ({
      name: `TCP, Balance.${name}`,
      pool: { healthCheck: HealthCheck.tcp() },
      pair: { balance: balance() },
    })),
  { name: "Stickiness.cookie()", pair: { stickiness: Stickiness.cookie() } },
  {
    name: 'Stickiness.cookie("LB") with consistentHashHeader',
    pair: { stickiness: Stickiness.cookie("LB"), balance: Balance.consistentHashHeader("X-Tenant") },
  },
  {
    name: 'HealthCheck.script(["/usr/local/bin/check-app"])',
    pool: { healthCheck: HealthCheck.script(["/usr/local/bin/check-app"]) },
  },
];

/** Builds the variant on a DockerPlatform with subnet 198.18.0.0/24 and synthesizes it. */
export function deployVariant(variant: VipPairVariant): DeployedHost[] {
  const stack = new TerraformStack(Testing.app(), "daemon-check");
  const platform = new DockerPlatform(stack, "local", { subnet: SUBNET });
  const web = new BackendPool(platform, "web", { replicas: 3, ...variant.pool });
  const pair = new VipPair(platform, "edge", { virtualIp: VIRTUAL_IP, backends: web, ...variant.pair });
  variant.after?.(pair);
  return deployedHosts(synthJson(stack));
}

/** The hosts of a synthesized stack with the files uploaded to each. */
export function deployedHosts(synth: ReturnType<typeof synthJson>): DeployedHost[] {
  const networks = Object.values(resourcesOfType(synth, "docker_network"));
  if (networks.length !== 1) throw new Error(`expected one docker_network, found ${networks.length}`);
  const subnet: string = networks[0].ipam_config[0].subnet;
  const prefixLength = Number(subnet.split("/")[1]);
  return Object.values(resourcesOfType(synth, "docker_container")).map((c) => {
    const files = new Map<string, { content: string; executable: boolean }>();
    for (const u of c.upload ?? []) {
      if (typeof u.content !== "string") throw new Error(`${c.hostname}: ${u.file} has no literal content`);
      files.set(u.file, { content: u.content, executable: u.executable === true });
    }
    return { hostname: c.hostname, address: c.networks_advanced[0].ipv4_address, prefixLength, files };
  });
}

/** The load-balancer hosts (those with a keepalived.conf). */
export function loadBalancers(hosts: readonly DeployedHost[]): DeployedHost[] {
  const lbs = hosts.filter((h) => h.files.has(KEEPALIVED_CONF));
  if (lbs.length < 2) throw new Error(`expected at least 2 load balancers, found ${lbs.length}`);
  return lbs;
}

/** The content of one file of a host; throws when the host has no such file. */
export function fileOf(host: DeployedHost, path: string): string {
  const file = host.files.get(path);
  if (!file) throw new Error(`${host.hostname} has no ${path} (has ${[...host.files.keys()].join(", ")})`);
  return file.content;
}
