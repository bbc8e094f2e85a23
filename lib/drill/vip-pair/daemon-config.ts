/**
 * Reads the few facts a drill needs from the generated daemon configuration (keepalived.conf and
 * haproxy.cfg as uploaded into the containers): which address floats, who should hold it, how
 * fast adverts go, and where HAProxy sends traffic. The daemons themselves read the full files.
 */
import { DrillError } from "../core/drill-error";

/** One `vrrp_instance` of keepalived.conf. */
export interface VrrpInstanceConfig {
  readonly name: string;
  readonly initialState: string;
  readonly interface: string;
  readonly virtualRouterId: number;
  readonly priority: number;
  readonly advertIntervalSeconds: number;
  /** true when `nopreempt` is set. */
  readonly noPreempt: boolean;
  /** `preempt_delay`, 0 when absent. */
  readonly preemptDelaySeconds: number;
  /** Addresses of `virtual_ipaddress`, without prefix length. */
  readonly virtualAddresses: readonly string[];
  /** `unicast_peer` addresses; empty for multicast. */
  readonly unicastPeers: readonly string[];
  readonly trackScripts: readonly string[];
}

/** The parts of keepalived.conf a drill uses. */
export interface KeepalivedFacts {
  readonly vrrpVersion: number;
  readonly instances: readonly VrrpInstanceConfig[];
}

interface Block {
  readonly keyword: string;
  readonly args: string[];
  readonly children: Block[];
}

/** Splits a keepalived line into words, keeping "quoted strings" whole (quotes removed). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push((m[1] ?? m[2]) as string);
  return out;
}

/** keepalived's configuration as nested blocks (`keyword args { children }`). */
function parseBlocks(text: string): Block[] {
  const root: Block = { keyword: "", args: [], children: [] };
  const stack: Block[] = [root];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s[#!].*$/, "").replace(/^[#!].*$/, "");
    const tokens = words(line.replace(/([{}])/g, " $1 "));
    let current: Block | undefined;
    for (const token of tokens) {
      const top = stack[stack.length - 1] as Block;
      if (token === "{") {
        const block = current ?? { keyword: "", args: [], children: [] };
        if (!current) top.children.push(block);
        stack.push(block);
        current = undefined;
      } else if (token === "}") {
        if (stack.length === 1) throw new DrillError("keepalived.conf: unbalanced '}'");
        stack.pop();
        current = undefined;
      } else if (current) {
        current.args.push(token);
      } else {
        current = { keyword: token, args: [], children: [] };
        top.children.push(current);
      }
    }
  }
  if (stack.length !== 1) throw new DrillError("keepalived.conf: unbalanced '{'");
  return root.children;
}

function child(block: Block, keyword: string): Block | undefined {
  return block.children.find((c) => c.keyword === keyword);
}

function numberOf(block: Block, keyword: string, fallback: number): number {
  const c = child(block, keyword);
  if (!c) return fallback;
  const value = Number(c.args[0]);
  if (!Number.isFinite(value)) {
    throw new DrillError(`keepalived.conf: ${keyword} ${JSON.stringify(c.args[0])} is not a number`);
  }
  return value;
}

/** Parses the VRRP facts of a keepalived.conf. */
export function parseKeepalivedConf(text: string): KeepalivedFacts {
  const blocks = parseBlocks(text);
  const globals = blocks.find((b) => b.keyword === "global_defs");
  const vrrpVersion = globals ? numberOf(globals, "vrrp_version", 2) : 2;
  const instances = blocks
    .filter((b) => b.keyword === "vrrp_instance")
    .map((b): VrrpInstanceConfig => {
      const name = b.args[0] ?? "";
      const list = (keyword: string): Block[] => child(b, keyword)?.children ?? [];
      return {
        name,
        initialState: (child(b, "state")?.args[0] ?? "BACKUP").toUpperCase(),
        interface: child(b, "interface")?.args[0] ?? "",
        virtualRouterId: numberOf(b, "virtual_router_id", Number.NaN),
        priority: numberOf(b, "priority", 100),
        advertIntervalSeconds: numberOf(b, "advert_int", 1),
        noPreempt: child(b, "nopreempt") !== undefined,
        preemptDelaySeconds: numberOf(b, "preempt_delay", 0),
        virtualAddresses: list("virtual_ipaddress").map((c) => c.keyword.split("/")[0] as string),
        unicastPeers: list("unicast_peer").map((c) => c.keyword),
        trackScripts: list("track_script").map((c) => c.keyword),
      };
    });
  for (const i of instances) {
    if (!i.name || !i.interface || !Number.isInteger(i.virtualRouterId)) {
      throw new DrillError(
        `keepalived.conf: vrrp_instance ${JSON.stringify(i.name)} lacks a name, interface or virtual_router_id`,
      );
    }
  }
  return { vrrpVersion, instances };
}

/**
 * The addresses, without prefix length, of a claim script (`ha-claim-<instance>`, which adds the
 * addresses of an instance after an ARP probe instead of keepalived): its `addresses=` line, a
 * space-separated list.
 */
export function parseClaimAddresses(text: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith("addresses="));
  if (!line) return [];
  return line
    .slice("addresses=".length)
    .replace(/^'|'$/g, "")
    .split(/\s+/)
    .map((w) => w.split("/")[0] as string)
    .filter((w) => w.length > 0);
}

/** A `server` line of an HAProxy backend. */
export interface HaproxyServerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** One `frontend` of haproxy.cfg. */
export interface HaproxyFrontendConfig {
  readonly name: string;
  readonly binds: ReadonlyArray<{ readonly address: string; readonly port: number }>;
  readonly defaultBackend?: string;
  /** Value of `http-response set-header X-Load-Balancer <value>`. */
  readonly loadBalancerHeader?: string;
}

/** The parts of haproxy.cfg a drill uses. */
export interface HaproxyFacts {
  readonly frontends: readonly HaproxyFrontendConfig[];
  readonly backends: ReadonlyMap<string, readonly HaproxyServerConfig[]>;
}

function hostPort(value: string, where: string): { address: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  if (!m) throw new DrillError(`haproxy.cfg: ${where} ${JSON.stringify(value)} is not ADDRESS:PORT`);
  return { address: (m[1] as string) || "0.0.0.0", port: Number(m[2]) };
}

/** Parses the frontends and backends of a haproxy.cfg. */
export function parseHaproxyCfg(text: string): HaproxyFacts {
  type Section = { kind: string; name: string; lines: string[][] };
  const sections: Section[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "");
    if (!line.trim()) continue;
    const tokens = line.trim().split(/\s+/);
    if (/^\S/.test(line)) {
      sections.push({ kind: tokens[0] as string, name: tokens[1] ?? "", lines: [] });
    } else {
      sections[sections.length - 1]?.lines.push(tokens);
    }
  }
  const frontends: HaproxyFrontendConfig[] = [];
  const backends = new Map<string, HaproxyServerConfig[]>();
  for (const s of sections) {
    if (s.kind === "frontend" || s.kind === "listen") {
      const binds = s.lines.filter((l) => l[0] === "bind").map((l) => hostPort(l[1] ?? "", "bind"));
      const header = s.lines.find(
        (l) =>
          l[0] === "http-response" &&
          l[1] === "set-header" &&
          (l[2] ?? "").toLowerCase() === "x-load-balancer",
      );
      const defaultBackend = s.lines.find((l) => l[0] === "default_backend")?.[1];
      frontends.push({
        name: s.name,
        binds,
        ...(defaultBackend ? { defaultBackend } : s.kind === "listen" ? { defaultBackend: s.name } : {}),
        ...(header?.[3] ? { loadBalancerHeader: header[3] } : {}),
      });
    }
    if (s.kind === "backend" || s.kind === "listen") {
      const servers = s.lines
        .filter((l) => l[0] === "server")
        .map((l) => ({ name: l[1] ?? "", ...hostPort(l[2] ?? "", `server ${l[1]}`) }));
      backends.set(s.name, servers);
    }
  }
  return { frontends, backends };
}
