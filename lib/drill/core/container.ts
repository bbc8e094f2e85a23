/**
 * Reads one `docker_container` of a synthesized stack: its network attachments (several, each
 * with the interface name Docker gives it), command, uploaded files, capabilities, sysctls,
 * environment, DNS settings and health check.
 */
import { isIpv4, networkContains } from "../../model/ipam";
import { DrillError } from "./drill-error";
import type { DrillAttachment, DrillContainer, DrillNetwork, DrillUpload } from "./stack";
import { type DrillSecret, type DrillVolume, parseMounts, secretReference } from "./storage";
import {
  blockList,
  isObject,
  type Json,
  requireString,
  stringArray,
  terraformString,
} from "./terraform-json";

const FILE_PATH = /^\/(?:[A-Za-z0-9._+@-]+\/)*[A-Za-z0-9._+@-]+$/;
const SYSCTL_KEY = /^net\.[a-z0-9_]+(?:\.[a-zA-Z0-9_-]+)+$/;
const SYSCTL_VALUE = /^[0-9]+(?: [0-9]+)*$/;
const CAPABILITY = /^[A-Z_]+$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SEARCH = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const DNS_OPTION = /^[a-z][a-z0-9_-]*(?::[0-9]{1,5})?$/;

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

/**
 * The container's attachments in the order of `networks_advanced`, which is the order Docker
 * names their interfaces in: eth0, eth1, ...
 */
function parseAttachments(raw: Json, networks: readonly DrillNetwork[], where: string): DrillAttachment[] {
  const entries = blockList(raw.networks_advanced);
  if (entries.length === 0) {
    throw new DrillError(
      `${where}: a drill needs at least one networks_advanced entry with a static ipv4_address`,
    );
  }
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    if (!isObject(entry)) throw new DrillError(`${where} networks_advanced[${i}] is not an object`);
    const network = networkKeyOf(requireString(entry.name, `${where} network name`), networks, where);
    if (seen.has(network)) throw new DrillError(`${where}: attached to network ${network} twice`);
    seen.add(network);
    const address = requireString(entry.ipv4_address, `${where} ipv4_address`);
    const net = networks.find((n) => n.key === network) as DrillNetwork;
    if (!isIpv4(address) || !networkContains(net.subnet, address)) {
      throw new DrillError(
        `${where}: ipv4_address ${JSON.stringify(address)} is not inside ${net.subnet.cidr}`,
      );
    }
    if (address === net.gateway) throw new DrillError(`${where} uses the gateway address ${address}`);
    return { network, address, interface: `eth${i}` };
  });
}

function parseCommand(raw: Json, where: string): string[] | undefined {
  if (raw.command === undefined) return undefined;
  const command = stringArray(raw.command, `${where} command`).map((a) =>
    terraformString(a, `${where} command`),
  );
  if (command.length === 0 || !(command[0] as string).startsWith("/")) {
    throw new DrillError(`${where}: command ${JSON.stringify(command)} must start with an absolute path`);
  }
  return command;
}

/** An upload's `permissions` (octal text), or undefined. */
function permissionsOf(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^0?[0-7]{3}$/.test(value)) {
    throw new DrillError(
      `${where}: permissions ${JSON.stringify(value)} is not an octal mode such as "0400"`,
    );
  }
  return Number.parseInt(value, 8);
}

function parseUploads(raw: Json, where: string, secrets: readonly DrillSecret[]): DrillUpload[] {
  const uploads = blockList(raw.upload).map((u, i): DrillUpload => {
    if (!isObject(u)) throw new DrillError(`${where} upload[${i}] is not an object`);
    const file = checkUploadPath(requireString(u.file, `${where} upload[${i}].file`), where);
    if (typeof u.content !== "string") {
      throw new DrillError(
        `${where} upload[${i}] (${file}) has no literal content (content_base64 and source are not supported)`,
      );
    }
    const mode = permissionsOf(u.permissions, `${where} upload ${file}`);
    const secret = secretReference(u.content);
    if (secret !== undefined && !secrets.some((s) => s.key === secret)) {
      throw new DrillError(`${where} upload ${file}: ${u.content} is not a random_password of this stack`);
    }
    return {
      file,
      content: secret === undefined ? terraformString(u.content, `${where} upload ${file}`) : "",
      executable: u.executable === true,
      ...(mode !== undefined ? { mode } : {}),
      ...(secret !== undefined ? { secret } : {}),
    };
  });
  const seen = new Set<string>();
  for (const u of uploads) {
    if (seen.has(u.file)) throw new DrillError(`${where}: ${u.file} is uploaded twice`);
    seen.add(u.file);
  }
  return uploads;
}

function parseCapabilities(raw: Json, where: string): string[] {
  const caps = isObject(raw.capabilities)
    ? stringArray(raw.capabilities.add, `${where} capabilities.add`)
    : [];
  const capabilities = caps.map((c) => c.toUpperCase().replace(/^CAP_/, ""));
  for (const c of capabilities) {
    if (!CAPABILITY.test(c)) throw new DrillError(`${where}: capability ${JSON.stringify(c)} is not a name`);
  }
  return capabilities;
}

function parseSysctls(raw: Json, where: string): Record<string, string> {
  const sysctls: Record<string, string> = {};
  if (raw.sysctls === undefined) return sysctls;
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
  return sysctls;
}

function parseEnv(raw: Json, where: string): string[] {
  const env = stringArray(raw.env, `${where} env`).map((e) => terraformString(e, `${where} env`));
  for (const e of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=[^\0\n]*$/.test(e))
      throw new DrillError(`${where}: env entry ${e} is invalid`);
  }
  return env;
}

/** `dns`, `dns_search` and `dns_opts`, each checked so that no value can break a resolv.conf line. */
function parseDns(raw: Json, where: string): Pick<DrillContainer, "dns" | "dnsSearch" | "dnsOpts"> {
  const check = (key: string, ok: (v: string) => boolean, allowed: string): string[] => {
    const values = stringArray(raw[key], `${where} ${key}`);
    for (const v of values) {
      if (!ok(v))
        throw new DrillError(`${where}: ${key} ${JSON.stringify(v)} is not allowed; use ${allowed}`);
    }
    return values;
  };
  return {
    dns: check("dns", isIpv4, "IPv4 addresses"),
    dnsSearch: check("dns_search", (v) => DNS_SEARCH.test(v), "domain names"),
    dnsOpts: check("dns_opts", (v) => DNS_OPTION.test(v), "resolver options such as ndots:2 or rotate"),
  };
}

/** The stack's resources a container may refer to beside its networks. */
export interface ContainerContext {
  readonly volumes: readonly DrillVolume[];
  readonly secrets: readonly DrillSecret[];
}

export function parseContainer(
  key: string,
  raw: unknown,
  networks: readonly DrillNetwork[],
  context: ContainerContext = { volumes: [], secrets: [] },
): DrillContainer {
  const where = `docker_container.${key}`;
  if (!isObject(raw)) throw new DrillError(`${where} is not an object`);
  const name = typeof raw.name === "string" ? raw.name : key;
  const hostname = requireString(raw.hostname ?? name, `${where} hostname`);
  if (!HOSTNAME.test(hostname)) {
    throw new DrillError(
      `${where}: hostname ${JSON.stringify(hostname)} is not a plain lower-case host name`,
    );
  }
  const attachments = parseAttachments(raw, networks, where);
  const primary = attachments[0] as DrillAttachment;
  const command = parseCommand(raw, where);
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
    attachments,
    network: primary.network,
    address: primary.address,
    ...(command ? { command } : {}),
    uploads: parseUploads(raw, where, context.secrets),
    mounts: parseMounts(raw, where, context.volumes),
    capabilities: parseCapabilities(raw, where),
    sysctls: parseSysctls(raw, where),
    env: parseEnv(raw, where),
    ...parseDns(raw, where),
    ...(healthCommand ? { healthCommand } : {}),
    ...(constructPath ? { constructPath } : {}),
  };
}
