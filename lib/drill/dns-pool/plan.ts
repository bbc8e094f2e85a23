/**
 * Recognizes a health-checked DNS pool in a synthesized Docker stack from its entry in
 * `ha-report.json` (`healthCheckedNames`): the name, its PowerDNS server containers and its
 * member containers (the pool's own HAProxy nodes), all of them hosts of the stack.
 */
import { DrillError } from "../core/drill-error";
import type { DrillContainer, DrillStack } from "../core/stack";
import type { ReportNameLike } from "../core/stack-report";
import { supervisedProcess } from "../faults/process-kill";

/** A host of the pool: a name server or a member. */
export interface DnsPoolHost {
  readonly container: DrillContainer;
  readonly hostname: string;
  /** The address the pool answers with (members) or listens on (servers). */
  readonly address: string;
}

/** What the all-unhealthy answer is, as the report says it. */
export type AllUnhealthyPlan =
  | { readonly kind: "all" }
  | { readonly kind: "none" }
  | { readonly kind: "fallback"; readonly addresses: readonly string[] };

/** What a drill of a DNS pool needs to know. */
export interface DnsPoolPlan {
  readonly fqdn: string;
  readonly ttlSeconds: number;
  readonly servers: readonly DnsPoolHost[];
  readonly members: readonly DnsPoolHost[];
  /** The members' service port. */
  readonly servicePort: number;
  readonly allUnhealthy: AllUnhealthyPlan;
  /** Key of the network the servers and members share (where the drill's clients sit). */
  readonly network: string;
  /** The report entry's id (the pool's construct path). */
  readonly id: string;
}

/** Where the members' supervised HAProxy keeps its pid and hold files. */
export const MEMBER_PROXY = supervisedProcess("haproxy");

function parseAllUnhealthy(text: string | undefined, where: string): AllUnhealthyPlan {
  if (text === "all" || text === "none") return { kind: text };
  const m = /^fallback (.+)$/.exec(text ?? "");
  if (m) return { kind: "fallback", addresses: (m[1] as string).split(", ").sort() };
  throw new DrillError(
    `${where}: allUnhealthy ${JSON.stringify(text)} is not "all", "none" or "fallback ..."`,
  );
}

function hostOn(
  stack: DrillStack,
  where: string,
  hostname: string,
  address: string | undefined,
): DnsPoolHost {
  const container = stack.containers.find((c) => c.hostname === hostname);
  if (!container) {
    throw new DrillError(
      `${where}: ${hostname} is not a container of the stack (a drill runs pools whose members are the pool's own nodes)`,
    );
  }
  const at = address ?? container.address;
  if (!container.attachments.some((a) => a.address === at)) {
    throw new DrillError(`${where}: ${hostname} has no address ${at}`);
  }
  return { container, hostname, address: at };
}

/** The drill's plan of the pool `name` of the report. */
export function planDnsPool(stack: DrillStack, name: ReportNameLike): DnsPoolPlan {
  const where = `health-checked name ${name.fqdn ?? name.id ?? "?"}`;
  if (!name.fqdn || !/^[A-Za-z0-9_.-]+$/.test(name.fqdn)) throw new DrillError(`${where}: no usable fqdn`);
  const serverHosts = name.serverHosts ?? [];
  const addresses = name.nameServers ?? [];
  if (serverHosts.length === 0 || serverHosts.length !== addresses.length) {
    throw new DrillError(
      `${where}: the report lists no self-hosted name servers (a managed zone cannot be drilled here)`,
    );
  }
  const servers = serverHosts.map((h, i) => hostOn(stack, where, h, addresses[i]));
  const members = (name.members ?? []).map((m) => hostOn(stack, where, m.name ?? "?", m.address));
  if (members.length === 0) throw new DrillError(`${where}: no members`);
  const network = servers[0]?.container.attachments.find((a) => a.address === servers[0]?.address)?.network;
  const memberNetworks = new Set(
    members.map((m) => m.container.attachments.find((a) => a.address === m.address)?.network),
  );
  if (network === undefined || memberNetworks.size !== 1 || !memberNetworks.has(network)) {
    throw new DrillError(`${where}: the drill needs the servers and the members on one network`);
  }
  return {
    id: name.id ?? name.fqdn,
    fqdn: name.fqdn,
    ttlSeconds: name.ttlSeconds ?? 0,
    servers,
    members,
    servicePort: name.servicePort ?? 80,
    allUnhealthy: parseAllUnhealthy(name.allUnhealthy, where),
    network,
  };
}
