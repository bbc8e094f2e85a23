/**
 * The network half of a namespace lab: one namespace per Docker network holding a bridge `br0`
 * with the gateway address, and per endpoint (a host or a client) a namespace with one veth per
 * attachment, named as Docker names them (eth0, eth1, ...), with the MAC address Docker would
 * give it, each a port of its network's bridge.
 */
import type { RunOptions, RunResult } from "./proc";
import type { DrillNetwork } from "./stack";

/** Runs a command (bounded) and records nothing else: the lab's own runner. */
export type Runner = (argv: readonly string[], options?: RunOptions) => Promise<RunResult>;

/** One attachment of an endpoint as the lab wires it. */
export interface WiredAttachment {
  readonly network: DrillNetwork;
  /** Namespace of the network's bridge. */
  readonly bridgeNetns: string;
  /** Name of the bridge port (in the network's namespace), unique within it. */
  readonly port: string;
  /** Interface name inside the endpoint. */
  readonly iface: string;
  readonly address: string;
}

/**
 * The MAC address Docker derives from an IPv4 address (02:42 and the address's four bytes), so
 * that a restarted host keeps its MAC and its neighbours' ARP caches stay right, as on Docker.
 */
export function macOf(address: string): string {
  const hex = address.split(".").map((b) => Number(b).toString(16).padStart(2, "0"));
  return ["02", "42", ...hex].join(":");
}

/** Runs `ip [-n netns] -batch -` with the given commands. */
export function ipBatch(
  run: Runner,
  netns: string | undefined,
  commands: readonly string[],
): Promise<RunResult> {
  return run(["ip", ...(netns ? ["-n", netns] : []), "-batch", "-"], { input: `${commands.join("\n")}\n` });
}

/**
 * Fills a network's (empty) namespace: the bridge, with the gateway address unless `gateway` is
 * false (a segment's other half, joined to this one, holds it).
 */
export async function buildBridge(
  run: Runner,
  netns: string,
  network: DrillNetwork,
  gateway = true,
): Promise<void> {
  await ipBatch(run, netns, [
    "link set lo up",
    "link add br0 type bridge stp_state 0 mcast_snooping 0",
    ...(gateway ? [`addr add ${network.gateway}/${network.subnet.prefixLength} dev br0`] : []),
    "link set br0 up",
  ]);
}

/**
 * Fills an endpoint's (empty) namespace: sysctls first (daemons read some, such as
 * ip_nonlocal_bind, when they start), then each attachment's veth and address, and the default
 * route through the first attachment's gateway.
 */
export async function buildEndpoint(
  run: Runner,
  netns: string,
  attachments: readonly WiredAttachment[],
  sysctls: Readonly<Record<string, string>>,
): Promise<void> {
  for (const a of attachments) {
    await ipBatch(run, a.bridgeNetns, [
      `link add ${a.port} type veth peer name ${a.iface} address ${macOf(a.address)} netns ${netns}`,
      `link set ${a.port} master br0`,
      `link set ${a.port} up`,
    ]);
  }
  // One process for all of them: on an emulated CPU every process start costs a good part of a second.
  const entries = Object.entries(sysctls);
  if (entries.length) {
    await run([
      "nsenter",
      `--net=/run/netns/${netns}`,
      "--",
      "/bin/sh",
      "-c",
      'while [ "$#" -gt 1 ]; do printf "%s\\n" "$2" > "$1" || exit 1; shift 2; done',
      "sh",
      ...entries.flatMap(([key, value]) => [`/proc/sys/${key.replace(/\./g, "/")}`, value]),
    ]);
  }
  const first = attachments[0];
  await ipBatch(run, netns, [
    "link set lo up",
    ...attachments.flatMap((a) => [
      `addr add ${a.address}/${a.network.subnet.prefixLength} dev ${a.iface}`,
      `link set ${a.iface} up`,
    ]),
    ...(first ? [`route add default via ${first.network.gateway}`] : []),
  ]);
}

/** Removes an endpoint's veths (deleting the bridge port removes its peer at once). */
export async function unwireEndpoint(run: Runner, attachments: readonly WiredAttachment[]): Promise<void> {
  for (const a of attachments) {
    await run(["ip", "-n", a.bridgeNetns, "link", "del", a.port], { allowFailure: true });
  }
}
