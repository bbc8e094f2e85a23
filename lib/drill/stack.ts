/**
 * Reads the parts of a synthesized Docker stack (`cdk.tf.json`) that a drill brings up: the
 * `docker_network` resources (one bridge each) and the `docker_container` resources (one host
 * each: address, command, uploaded files, capabilities, sysctls).
 */
import {
  type Ipv4Network,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  networkContains,
  parseIpv4Cidr,
} from "../model/ipam";

/** Raised for a stack, a command line or a machine the drill cannot work with. */
export class DrillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillError";
  }
}

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
  readonly content: string;
  readonly executable: boolean;
}

/** One `docker_container`. */
export interface DrillContainer {
  /** Resource key in `resource.docker_container`. */
  readonly key: string;
  /** Container name on the Docker host. */
  readonly name: string;
  readonly hostname: string;
  /** Key of the network it is attached to. */
  readonly network: string;
  readonly address: string;
  /** The container's command; undefined when the image's own entry point runs (user images). */
  readonly command?: readonly string[];
  readonly uploads: readonly DrillUpload[];
  /** Capabilities added to Docker's default set, upper case without `CAP_`. */
  readonly capabilities: readonly string[];
  readonly sysctls: Readonly<Record<string, string>>;
  /** `KEY=value` environment entries. */
  readonly env: readonly string[];
  /** The health check command (after `CMD`), when there is one. */
  readonly healthCommand?: readonly string[];
  /** Construct path from the resource's metadata (e.g. `stack/local/edge/Node0/Resource`). */
  readonly constructPath?: string;
}

/** The Docker resources of a synthesized stack. */
export interface DrillStack {
  /** Stack name, from the path `cdktf.out/stacks/<name>/cdk.tf.json` or the metadata. */
  readonly name: string;
  readonly networks: readonly DrillNetwork[];
  readonly containers: readonly DrillContainer[];
}

/** Addresses a drill may use unless told otherwise (RFC 2544 benchmarking range). */
export const DRILL_RANGE = "198.18.0.0/15";

const FILE_PATH = /^\/(?:[A-Za-z0-9._+@-]+\/)*[A-Za-z0-9._+@-]+$/;
const SYSCTL_KEY = /^net\.[a-z0-9_]+(?:\.[a-zA-Z0-9_-]+)+$/;
const SYSCTL_VALUE = /^[0-9]+(?: [0-9]+)*$/;
const CAPABILITY = /^[A-Z_]+$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new DrillError(`${what} must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new DrillError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The value Terraform makes of a string of the synthesized JSON: `$${` stands for a literal `${`
 * and `%%{` for `%{`. A real interpolation (`${...}`, `%{...}`) is known only at deploy time,
 * so a drill cannot use that string: it throws.
 */
export function terraformString(value: string, where: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const next = value[i + 1];
    if ((ch === "$" || ch === "%") && next === ch && value[i + 2] === "{") {
      out += `${ch}{`;
      i += 2;
    } else if ((ch === "$" || ch === "%") && next === "{") {
      const end = value.indexOf("}", i);
      throw new DrillError(
        `${where} holds a Terraform ${ch === "$" ? "interpolation" : "template directive"} ${JSON.stringify(value.slice(i, end < 0 ? i + 20 : end + 1))}, known only at deploy time; a drill needs literal values`,
      );
    } else out += ch;
  }
  return out;
}

/** Checks a path the drill will place a file at: absolute, no `..`, no shell or mount specials. */
export function checkUploadPath(path: string, where: string): string {
  if (!FILE_PATH.test(path) || path.split("/").some((part) => part === "." || part === "..")) {
    throw new DrillError(
      `${where}: upload path ${JSON.stringify(path)} is not allowed; use an absolute path of letters, digits and ._+@-`,
    );
  }
  return path;
}

/** Resolves `${docker_network.KEY.name}` (or a literal network name) to a network key. */
function networkKeyOf(ref: string, networks: readonly DrillNetwork[], where: string): string {
  const m = /^\$\{docker_network\.([A-Za-z0-9_-]+)\.(?:name|id)\}$/.exec(ref);
  const found = m ? networks.find((n) => n.key === m[1]) : networks.find((n) => n.name === ref);
  if (!found) {
    throw new DrillError(
      `${where}: network ${JSON.stringify(ref)} is not a docker_network of this stack (${networks.map((n) => n.key).join(", ") || "none"})`,
    );
  }
  return found.key;
}

function parseNetwork(key: string, raw: unknown): DrillNetwork {
  const where = `docker_network.${key}`;
  if (!isObject(raw)) throw new DrillError(`${where} is not an object`);
  const ipam = raw.ipam_config;
  const first = Array.isArray(ipam) ? ipam[0] : ipam;
  if (!isObject(first)) {
    throw new DrillError(`${where} has no ipam_config: a drill needs a fixed subnet`);
  }
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
  return {
    key,
    name,
    subnet,
    gateway: gateway ?? intToIpv4(subnet.network + 1),
  };
}

function parseContainer(key: string, raw: unknown, networks: readonly DrillNetwork[]): DrillContainer {
  const where = `docker_container.${key}`;
  if (!isObject(raw)) throw new DrillError(`${where} is not an object`);
  const name = typeof raw.name === "string" ? raw.name : key;
  const hostname = requireString(raw.hostname ?? name, `${where} hostname`);
  if (!HOSTNAME.test(hostname)) {
    throw new DrillError(
      `${where}: hostname ${JSON.stringify(hostname)} is not a plain lower-case host name`,
    );
  }
  const attachments = Array.isArray(raw.networks_advanced)
    ? raw.networks_advanced
    : raw.networks_advanced
      ? [raw.networks_advanced]
      : [];
  if (attachments.length !== 1 || !isObject(attachments[0])) {
    throw new DrillError(
      `${where}: a drill needs exactly one networks_advanced entry with a static ipv4_address, found ${attachments.length}`,
    );
  }
  const attachment = attachments[0] as Json;
  const network = networkKeyOf(requireString(attachment.name, `${where} network name`), networks, where);
  const address = requireString(attachment.ipv4_address, `${where} ipv4_address`);
  const net = networks.find((n) => n.key === network) as DrillNetwork;
  if (!isIpv4(address) || !networkContains(net.subnet, address)) {
    throw new DrillError(
      `${where}: ipv4_address ${JSON.stringify(address)} is not inside ${net.subnet.cidr}`,
    );
  }
  const command =
    raw.command === undefined
      ? undefined
      : stringArray(raw.command, `${where} command`).map((a) => terraformString(a, `${where} command`));
  if (command !== undefined && (command.length === 0 || !(command[0] as string).startsWith("/"))) {
    throw new DrillError(`${where}: command ${JSON.stringify(command)} must start with an absolute path`);
  }
  const uploadList = raw.upload === undefined ? [] : Array.isArray(raw.upload) ? raw.upload : [raw.upload];
  const uploads: DrillUpload[] = uploadList.map((u, i) => {
    if (!isObject(u)) throw new DrillError(`${where} upload[${i}] is not an object`);
    const file = checkUploadPath(requireString(u.file, `${where} upload[${i}].file`), where);
    if (typeof u.content !== "string") {
      throw new DrillError(
        `${where} upload[${i}] (${file}) has no literal content (content_base64 and source are not supported)`,
      );
    }
    return {
      file,
      content: terraformString(u.content, `${where} upload ${file}`),
      executable: u.executable === true,
    };
  });
  const seen = new Set<string>();
  for (const u of uploads) {
    if (seen.has(u.file)) throw new DrillError(`${where}: ${u.file} is uploaded twice`);
    seen.add(u.file);
  }
  const caps = isObject(raw.capabilities)
    ? stringArray(raw.capabilities.add, `${where} capabilities.add`)
    : [];
  const capabilities = caps.map((c) => c.toUpperCase().replace(/^CAP_/, ""));
  for (const c of capabilities) {
    if (!CAPABILITY.test(c)) throw new DrillError(`${where}: capability ${JSON.stringify(c)} is not a name`);
  }
  const sysctls: Record<string, string> = {};
  if (raw.sysctls !== undefined) {
    if (!isObject(raw.sysctls)) throw new DrillError(`${where} sysctls must be an object`);
    for (const [k, v] of Object.entries(raw.sysctls)) {
      const value = String(v);
      // Only network sysctls are per namespace; anything else would change the whole machine.
      if (!SYSCTL_KEY.test(k) || !SYSCTL_VALUE.test(value)) {
        throw new DrillError(
          `${where}: sysctl ${k}=${JSON.stringify(value)} is not supported by drills; only numeric net.* sysctls are namespaced`,
        );
      }
      sysctls[k] = value;
    }
  }
  const env = stringArray(raw.env, `${where} env`).map((e) => terraformString(e, `${where} env`));
  for (const e of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=[^\0\n]*$/.test(e))
      throw new DrillError(`${where}: env entry ${e} is invalid`);
  }
  const health = isObject(raw.healthcheck)
    ? stringArray(raw.healthcheck.test, `${where} healthcheck.test`)
    : [];
  const healthCommand = health[0] === "CMD" && health.length > 1 ? health.slice(1) : undefined;
  const meta = isObject(raw["//"]) && isObject(raw["//"].metadata) ? raw["//"].metadata : {};
  const constructPath = typeof meta.path === "string" ? meta.path : undefined;
  return {
    key,
    name,
    hostname,
    network,
    address,
    ...(command ? { command } : {}),
    uploads,
    capabilities,
    sysctls,
    env,
    ...(healthCommand ? { healthCommand } : {}),
    ...(constructPath ? { constructPath } : {}),
  };
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
  const containers = Object.entries(rawContainers)
    .map(([key, raw]) => parseContainer(key, raw, networks))
    .sort((a, b) => ipv4ToInt(a.address) - ipv4ToInt(b.address));
  if (containers.length === 0) throw new DrillError("the stack has no docker_container: nothing to drill");
  const byAddress = new Map<string, string>();
  const byHostname = new Map<string, string>();
  for (const c of containers) {
    const clash = byAddress.get(c.address);
    if (clash) throw new DrillError(`${c.key} and ${clash} both use address ${c.address}`);
    byAddress.set(c.address, c.key);
    const nameClash = byHostname.get(c.hostname);
    if (nameClash) throw new DrillError(`${c.key} and ${nameClash} both use hostname ${c.hostname}`);
    byHostname.set(c.hostname, c.key);
    const net = networks.find((n) => n.key === c.network) as DrillNetwork;
    if (c.address === net.gateway) throw new DrillError(`${c.key} uses the gateway address ${c.address}`);
  }
  return { name, networks, containers };
}

/**
 * Throws unless every subnet of the stack lies inside `range` (the drill's addresses must not
 * collide with real networks), unless `allowAny` is set.
 */
export function checkDrillAddresses(stack: DrillStack, allowAny: boolean, range = DRILL_RANGE): void {
  if (allowAny) return;
  const allowed = parseIpv4Cidr("drill", "range", range, 1, 32);
  for (const n of stack.networks) {
    if (n.subnet.network < allowed.network || n.subnet.broadcast > allowed.broadcast) {
      throw new DrillError(
        `network ${n.key} uses ${n.subnet.cidr}, outside ${range}: synthesize the stack with addresses from ${range} (as the vip-pair-docker-drill example does), or pass --allow-any-addresses`,
      );
    }
  }
}

/** The highest host address of `net` that no container, gateway or extra address uses. */
export function freeAddress(net: DrillNetwork, used: Iterable<string>): string {
  const taken = new Set<number>([net.subnet.network, net.subnet.broadcast, ipv4ToInt(net.gateway)]);
  for (const a of used) if (isIpv4(a)) taken.add(ipv4ToInt(a));
  for (let v = net.subnet.broadcast - 1; v > net.subnet.network; v--) {
    if (!taken.has(v)) return intToIpv4(v);
  }
  throw new DrillError(`network ${net.key} (${net.subnet.cidr}) has no free address for the drill's client`);
}
