/**
 * Reads the parts of a synthesized Docker stack (`cdk.tf.json`) that a drill brings up: the
 * `docker_network` resources (one bridge each), the `docker_container` resources (one host
 * each: its attachments, command, uploaded files, volume mounts, capabilities, sysctls, DNS
 * settings), and the `docker_volume` and `random_password` resources they use (see storage.ts).
 */
import {
  type Ipv4Network,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  networkContains,
  parseIpv4Cidr,
} from "../../model/ipam";
import { parseContainer } from "./container";
import { DrillError } from "./drill-error";
import { type DrillMount, type DrillSecret, type DrillVolume, parseSecrets, parseVolumes } from "./storage";
import { isObject, requireString } from "./terraform-json";

/** One `docker_network`. */
export interface DrillNetwork {
  /** Resource key in `resource.docker_network`. */
  readonly key: string;
  /** The network's `name` on the Docker host. */
  readonly name: string;
  readonly subnet: Ipv4Network;
  readonly gateway: string;
}

/** One file of a container's `upload` list. */
export interface DrillUpload {
  /** Absolute path inside the container. */
  readonly file: string;
  /** The literal content; empty for a secret, whose value the lab generates. */
  readonly content: string;
  readonly executable: boolean;
  /** The file's mode (`permissions`), when the stack sets one. */
  readonly mode?: number;
  /** Key of the `random_password` whose value is the content, for a secret file. */
  readonly secret?: string;
}

/** One entry of a container's `networks_advanced`. */
export interface DrillAttachment {
  /** Key of the network. */
  readonly network: string;
  readonly address: string;
  /** The interface Docker gives it: eth0 for the first entry, eth1 for the second, ... */
  readonly interface: string;
}

/** One `docker_container`. */
export interface DrillContainer {
  /** Resource key in `resource.docker_container`. */
  readonly key: string;
  /** Container name on the Docker host. */
  readonly name: string;
  readonly hostname: string;
  /** Its networks, in interface order (at least one). */
  readonly attachments: readonly DrillAttachment[];
  /** Key of the first attachment's network (eth0). */
  readonly network: string;
  /** The first attachment's address (eth0). */
  readonly address: string;
  /** The container's command; undefined when the image's own entry point runs (user images). */
  readonly command?: readonly string[];
  readonly uploads: readonly DrillUpload[];
  /** Named volumes mounted into the container. */
  readonly mounts: readonly DrillMount[];
  /** Capabilities added to Docker's default set, upper case without `CAP_`. */
  readonly capabilities: readonly string[];
  readonly sysctls: Readonly<Record<string, string>>;
  /** `KEY=value` environment entries. */
  readonly env: readonly string[];
  /** `dns`: name servers (resolv.conf `nameserver`). */
  readonly dns: readonly string[];
  /** `dns_search`: resolv.conf `search` domains. */
  readonly dnsSearch: readonly string[];
  /** `dns_opts`: resolv.conf `options`. */
  readonly dnsOpts: readonly string[];
  /** The health check command (after `CMD`), when there is one. */
  readonly healthCommand?: readonly string[];
  /** Construct path from the resource's metadata (e.g. `stack/local/edge/Node0/Resource`). */
  readonly constructPath?: string;
}

export type { DrillMount, DrillSecret, DrillVolume } from "./storage";

/** The Docker resources of a synthesized stack. */
export interface DrillStack {
  /** Stack name, from the path `cdktf.out/stacks/<name>/cdk.tf.json` or the metadata. */
  readonly name: string;
  readonly networks: readonly DrillNetwork[];
  readonly containers: readonly DrillContainer[];
  /** `docker_volume` resources: a lab keeps a directory per volume for as long as it runs. */
  readonly volumes: readonly DrillVolume[];
  /** `random_password` resources: a lab generates each value once. */
  readonly secrets: readonly DrillSecret[];
  /** The parsed `cdk.tf.json`, for topology drills that read more of it. */
  readonly document: Readonly<Record<string, unknown>>;
}

function parseNetwork(key: string, raw: unknown): DrillNetwork {
  const where = `docker_network.${key}`;
  if (!isObject(raw)) throw new DrillError(`${where} is not an object`);
  const ipam = raw.ipam_config;
  const first = Array.isArray(ipam) ? ipam[0] : ipam;
  if (!isObject(first)) throw new DrillError(`${where} has no ipam_config: a drill needs a fixed subnet`);
  let subnet: Ipv4Network;
  try {
    subnet = parseIpv4Cidr(
      where,
      "ipam_config subnet",
      requireString(first.subnet, `${where} subnet`),
      8,
      30,
    );
  } catch (e) {
    throw new DrillError((e as Error).message);
  }
  const gateway =
    first.gateway === undefined ? undefined : requireString(first.gateway, `${where} ipam_config gateway`);
  if (gateway !== undefined && (!isIpv4(gateway) || !networkContains(subnet, gateway))) {
    throw new DrillError(
      `${where}: gateway ${JSON.stringify(gateway)} is not an address inside ${subnet.cidr}`,
    );
  }
  const name = typeof raw.name === "string" ? raw.name : key;
  return { key, name, subnet, gateway: gateway ?? intToIpv4(subnet.network + 1) };
}

/** Two containers may not share an address on one network, nor a host name. */
function checkClashes(containers: readonly DrillContainer[]): void {
  const byAddress = new Map<string, string>();
  const byHostname = new Map<string, string>();
  for (const c of containers) {
    for (const a of c.attachments) {
      const clash = byAddress.get(a.address);
      if (clash) throw new DrillError(`${c.key} and ${clash} both use address ${a.address}`);
      byAddress.set(a.address, c.key);
    }
    const nameClash = byHostname.get(c.hostname);
    if (nameClash) throw new DrillError(`${c.key} and ${nameClash} both use hostname ${c.hostname}`);
    byHostname.set(c.hostname, c.key);
  }
}

/**
 * Parses the Docker resources of a synthesized stack. Throws a DrillError naming the resource
 * when something a drill needs is missing or not supported.
 */
export function parseDockerStack(document: unknown, name = "stack"): DrillStack {
  if (!isObject(document) || !isObject(document.resource)) {
    throw new DrillError("not a synthesized stack: no top-level `resource` object");
  }
  const resources = document.resource;
  const rawNetworks = isObject(resources.docker_network) ? resources.docker_network : {};
  const rawContainers = isObject(resources.docker_container) ? resources.docker_container : {};
  const networks = Object.entries(rawNetworks)
    .map(([key, raw]) => parseNetwork(key, raw))
    .sort((a, b) => a.key.localeCompare(b.key));
  if (networks.length === 0) throw new DrillError("the stack has no docker_network: nothing to drill");
  const volumes = parseVolumes(resources);
  const secrets = parseSecrets(resources);
  const containers = Object.entries(rawContainers)
    .map(([key, raw]) => parseContainer(key, raw, networks, { volumes, secrets }))
    .sort((a, b) => ipv4ToInt(a.address) - ipv4ToInt(b.address));
  if (containers.length === 0) throw new DrillError("the stack has no docker_container: nothing to drill");
  checkClashes(containers);
  return { name, networks, containers, volumes, secrets, document };
}
