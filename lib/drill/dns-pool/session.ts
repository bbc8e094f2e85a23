/**
 * A DNS pool up and served in a fresh lab: backends first, then the members (HAProxy nodes),
 * then the name servers; it waits until every server answers with every member and each member
 * serves, then runs one DNS client per server (what each server answers, every few ms) and the
 * session's client: a resolver asking the servers in resolv.conf order, as an application would.
 */

import type { FailurePrediction } from "../../model/availability";
import type { DrillClient, ProbeRecord } from "../clients/client";
import { DNS_CLIENT, type DnsOutcome, queryDns } from "../clients/dns";
import { HTTP_CLIENT } from "../clients/http";
import { failWithLogs } from "../core/host-logs";
import type { Lab } from "../core/lab";
import { sleep } from "../core/proc";
import { startHostsTogether } from "../core/together";
import type { DrillSession, RunEnv } from "../core/topology-drill";
import { waitUntil } from "../core/wait";
import type { DnsPoolPlan } from "./plan";

/** The resolver options the session's client uses (what the platform gives its hosts). */
export const RESOLVER_OPTIONS = "options timeout:1 attempts:2";

export class DnsPoolSession implements DrillSession {
  public client!: DrillClient<DnsOutcome>;
  /** One client per name server, in the plan's order. */
  public direct: DrillClient<DnsOutcome>[] = [];
  private readonly place: string;

  private constructor(
    public readonly lab: Lab,
    public readonly plan: DnsPoolPlan,
    public readonly env: RunEnv,
  ) {
    this.place = lab.clientOn(plan.network).place;
  }

  public static async start(lab: Lab, plan: DnsPoolPlan, env: RunEnv): Promise<DnsPoolSession> {
    const s = new DnsPoolSession(lab, plan, env);
    try {
      await s.startHosts();
      await s.waitForAllAnswered();
      await s.startClients();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  public fail(message: string): never {
    return failWithLogs(this.lab, [...this.plan.servers, ...this.plan.members], message);
  }

  /** Every member's address, sorted as the DNS client sorts answers. */
  public get allMembers(): readonly string[] {
    return this.plan.members.map((m) => m.address).sort();
  }

  /** resolv.conf of the session's resolver: every server, in order. */
  public get resolvConf(): string {
    return `${this.plan.servers.map((s) => `nameserver ${s.address}`).join("\n")}\n${RESOLVER_OPTIONS}\n`;
  }

  /** One query to `server` now. */
  public ask(server: string) {
    return queryDns(this.lab, this.place, { name: this.plan.fqdn, server, timeoutMs: 1500 });
  }

  private async startHosts(): Promise<void> {
    const servers = new Set(this.plan.servers.map((h) => h.hostname));
    const members = new Set(this.plan.members.map((h) => h.hostname));
    await startHostsTogether(
      this.lab,
      this.lab.hostnames().filter((h) => !servers.has(h) && !members.has(h)),
    );
    await startHostsTogether(this.lab, members);
    await startHostsTogether(this.lab, servers);
  }

  private async waitForAllAnswered(): Promise<void> {
    const want = this.allMembers.join(",");
    this.env.say(`waiting until ${this.plan.servers.length} servers answer ${this.plan.fqdn} with ${want}`);
    const seen: Record<string, string> = {};
    const everyServer = async () => {
      for (const s of this.plan.servers) {
        if (!this.lab.isRunning(s.hostname)) this.fail(`name server ${s.hostname} exited`);
        const a = await this.ask(s.address);
        seen[s.hostname] = `${a.outcome} ${a.answers.join(",")}`;
        if (a.outcome !== "ok" || a.answers.join(",") !== want) return false;
      }
      return true;
    };
    if ((await waitUntil(everyServer, 30_000, 200)) === undefined) {
      this.fail(
        `the servers did not all answer with every member within 30 s (last: ${JSON.stringify(seen)})`,
      );
    }
    for (const m of this.plan.members) {
      if (!(await this.serves(m.address)))
        this.fail(`member ${m.hostname} does not serve on ${m.address}:${this.plan.servicePort}`);
    }
  }

  /** true when `address` answers HTTP on the service port: a few requests, all answered. */
  public async serves(address: string): Promise<boolean> {
    const c = await HTTP_CLIENT.start(this.lab, this.place, {
      address,
      port: this.plan.servicePort,
      intervalMs: 50,
      timeoutMs: 1000,
      maxSeconds: 10,
    });
    try {
      await waitUntil(() => c.records.length >= 3, 5000, 20);
    } finally {
      await c.stop();
    }
    return c.records.length >= 3 && c.records.every((r) => r.outcome === "ok");
  }

  private async startClients(): Promise<void> {
    const t = this.env.timings;
    for (const s of this.plan.servers) {
      this.direct.push(
        await DNS_CLIENT.start(this.lab, this.place, {
          name: this.plan.fqdn,
          server: s.address,
          intervalMs: t.intervalMs,
          timeoutMs: t.requestTimeoutMs,
          maxSeconds: 240,
        }),
      );
    }
    this.client = await DNS_CLIENT.start(this.lab, this.place, {
      name: this.plan.fqdn,
      resolvConf: this.resolvConf,
      intervalMs: t.intervalMs * 4,
      maxSeconds: 240,
    });
    const steady = () =>
      [...this.direct, this.client].every((c) => {
        const recent = c.records.slice(-10);
        return recent.length === 10 && recent.every((r) => r.outcome === "ok");
      });
    if ((await waitUntil(steady, 15_000, 20)) === undefined) {
      this.fail(`the DNS clients were not answered steadily within 15 s`);
    }
    await sleep(300);
  }

  /** How long to wait for a change predicted to take `predicted` seconds. */
  public bound(predicted: FailurePrediction | undefined): number {
    return Math.max(10_000, (predicted?.recoverySeconds ?? 0) * 3000 + 5000);
  }

  /**
   * Seconds from `sinceMs` until every server's answers hold for good (the first of a run of
   * answers, to the last one seen, that all pass `holds`); null for a server where they never do.
   */
  public settledSeconds(sinceMs: number, holds: (r: ProbeRecord<DnsOutcome>) => boolean): (number | null)[] {
    return this.direct.map((c) => settledAfter(c.records, sinceMs, holds));
  }

  /** Waits (bounded) until every server's latest answers pass `holds` for `forMs`. */
  public async waitUntilSettled(
    holds: (r: ProbeRecord<DnsOutcome>) => boolean,
    forMs: number,
    timeoutMs: number,
  ): Promise<boolean> {
    const settled = () =>
      this.direct.every((c) => {
        const last = c.records[c.records.length - 1];
        if (!last) return false;
        const recent = c.records.filter((r) => r.startMs >= last.startMs - forMs);
        return (
          recent.length >= 3 &&
          recent.every(holds) &&
          c.records[0] !== undefined &&
          last.startMs - forMs > c.records[0].startMs
        );
      });
    return (await waitUntil(settled, timeoutMs, 20)) !== undefined;
  }

  public async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const c of [...this.direct, this.client]) {
      try {
        await c?.stop();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return problems;
  }
}

/** Seconds from `sinceMs` to the first record after which every record passes `holds`. */
export function settledAfter<O extends string>(
  records: readonly ProbeRecord<O>[],
  sinceMs: number,
  holds: (r: ProbeRecord<O>) => boolean,
): number | null {
  const after = records.filter((r) => r.startMs >= sinceMs);
  if (after.length === 0 || !holds(after[after.length - 1] as ProbeRecord<O>)) return null;
  let i = after.length - 1;
  while (i > 0 && holds(after[i - 1] as ProbeRecord<O>)) i--;
  return Math.round((after[i] as ProbeRecord<O>).startMs - sinceMs) / 1000;
}
