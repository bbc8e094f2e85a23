/**
 * The kill drill of a DNS pool on a real engine: find the pool's name servers and members in
 * the stack's `ha-report.json`, check that every server answers the name with every member and
 * that each member serves, `docker kill` one member, and measure until no server answers with it
 * any more, asking each server by `dig` from a client on the stack's network.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineLab } from "../../lib/drill/engine/engine-lab";

/** A DNS pool as the report describes it. */
export interface DnsPoolInStack {
  readonly fqdn: string;
  /** Name server addresses, and their container names in the same order. */
  readonly servers: readonly string[];
  readonly serverContainers: readonly string[];
  /** Member address → container name. */
  readonly members: ReadonlyMap<string, string>;
  readonly port: number;
  /** Predicted seconds until a silent (killed) member leaves the answers. */
  readonly predictedSilentRemoval?: number;
}

interface ReportName {
  fqdn: string;
  id: string;
  nameServers: string[];
  serverHosts: string[];
  members: { name: string; address: string; componentId: string }[];
  servicePort: number;
}

interface ReportGroup {
  id: string;
  predictions?: { fault: string; recoverySeconds?: number }[];
}

export function dnsPoolsOf(lab: EngineLab): DnsPoolInStack[] {
  const report = JSON.parse(readFileSync(join(lab.stack.dir, "ha-report.json"), "utf8")) as {
    healthCheckedNames?: ReportName[];
    redundancyGroups: ReportGroup[];
  };
  const byHostname = (h: string) => {
    const c = lab.stack.containers.find((x) => (x.hostname ?? x.name) === h);
    if (!c) throw new Error(`no container with host name ${h}`);
    return c.name;
  };
  return (report.healthCheckedNames ?? [])
    .filter((n) => n.serverHosts.length > 0)
    .map((n) => ({
      fqdn: n.fqdn,
      servers: n.nameServers,
      serverContainers: n.serverHosts.map(byHostname),
      members: new Map(n.members.map((m) => [m.address, byHostname(m.name)])),
      port: n.servicePort,
      predictedSilentRemoval: report.redundancyGroups
        .find((g) => g.id === n.id)
        ?.predictions?.find((p) => p.fault === "member-blackhole")?.recoverySeconds,
    }));
}

/** `dig +short` of the pool's name at `server` from the namespace `ns`: the sorted addresses. */
export function digAt(ns: string, server: string, fqdn: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const child = spawn(
      "ip",
      ["netns", "exec", ns, "dig", "+short", "+time=1", "+tries=1", `@${server}`, fqdn, "A"],
      { stdio: ["ignore", "pipe", "ignore"], timeout: 3000, killSignal: "SIGKILL" },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("close", (code) => {
      if (code !== 0) return resolve(undefined);
      resolve(
        out
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
          .sort(),
      );
    });
  });
}

/** Every server's answer now, in the pool's server order. */
export function answers(ns: string, pool: DnsPoolInStack): Promise<(string[] | undefined)[]> {
  return Promise.all(pool.servers.map((s) => digAt(ns, s, pool.fqdn)));
}

/**
 * Polls until `holds` is true of every server's answer; when the round of queries that showed it
 * started (epoch ms), or throws after `timeoutMs`.
 */
export async function untilAnswers(
  ns: string,
  pool: DnsPoolInStack,
  holds: (a: string[]) => boolean,
  timeoutMs: number,
): Promise<number> {
  const t0 = Date.now();
  let last: (string[] | undefined)[] = [];
  while (Date.now() - t0 < timeoutMs) {
    const round = Date.now();
    last = await answers(ns, pool);
    if (last.every((a) => a !== undefined && holds(a))) return round;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the servers of ${pool.fqdn} never answered as expected: ${JSON.stringify(last)}`);
}

export interface MemberKillResult {
  readonly killed: string;
  readonly address: string;
  /** From `docker kill` to the first moment no server answers with the killed member. */
  readonly removedSeconds: number;
}

/** Kills the first member's container and measures until it has left every server's answers. */
export async function killMember(
  lab: EngineLab,
  pool: DnsPoolInStack,
  ns: string,
): Promise<MemberKillResult> {
  const [address, killed] = [...pool.members.entries()].sort()[0] as [string, string];
  const killedAt = Date.now();
  await lab.deployment.kill(killed);
  const removedAt = await untilAnswers(ns, pool, (a) => a.length > 0 && !a.includes(address), 20_000);
  return { killed, address, removedSeconds: Math.max(0, removedAt - killedAt) / 1000 };
}
