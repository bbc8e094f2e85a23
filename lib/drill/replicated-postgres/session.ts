/**
 * A replicated PostgreSQL cluster up in a fresh lab: etcd members of their own first, then the
 * nodes, the routers and whatever else the stack holds; it waits until Patroni reports a leader
 * with every other node a running replica, then runs the SQL writer through the routers'
 * read-write port (one numbered row every 50 ms, each acknowledgement recorded with the server
 * that took it) until it commits steadily. After a fault, the table is read back through the
 * read-write port, from whichever node is primary then, and compared with the acknowledgements.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { FailurePrediction } from "../../model/availability";
import type { DrillClient } from "../clients/client";
import {
  readBack,
  SQL_WRITER,
  type SqlOutcome,
  type SqlTarget,
  type WriteLedger,
  writeLedger,
} from "../clients/sql";
import { DrillError } from "../core/drill-error";
import { failWithLogs } from "../core/host-logs";
import type { Lab } from "../core/lab";
import { nowMs, sleep } from "../core/proc";
import { startHostsTogether } from "../core/together";
import type { DrillSession, RunEnv } from "../core/topology-drill";
import { waitUntil } from "../core/wait";
import type { PostgresHost, PostgresPlan } from "./plan";

/** Milliseconds between two writes of the drill's writer. */
export const WRITE_INTERVAL_MS = 50;
/** A write's time limit: connect and commit. */
const WRITE_TIMEOUT_MS = 2000;

/** A member as Patroni's `GET /cluster` lists it. */
export interface ClusterMember {
  readonly name: string;
  readonly role: string;
  readonly state: string;
  readonly host?: string;
}

export class PostgresSession implements DrillSession {
  public client!: DrillClient<SqlOutcome>;
  public readonly place: string;
  private passwordPath = "";

  private constructor(
    public readonly lab: Lab,
    public readonly plan: PostgresPlan,
    public readonly env: RunEnv,
  ) {
    this.place = lab.clientOn(plan.network).place;
  }

  public static async start(lab: Lab, plan: PostgresPlan, env: RunEnv): Promise<PostgresSession> {
    const s = new PostgresSession(lab, plan, env);
    try {
      await s.startHosts();
      await s.waitForCluster();
      await s.startWriter();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  public fail(message: string): never {
    return failWithLogs(this.lab, [...this.plan.dcs, ...this.plan.nodes, ...this.plan.routers], message);
  }

  /** The read-write port as the writer and the read-back use it. */
  public get target(): SqlTarget {
    return {
      address: this.plan.address,
      port: this.plan.readWritePort,
      database: this.plan.database,
      user: this.plan.user,
      passwordFile: this.passwordPath,
    };
  }

  /** How long to wait for a change predicted to take `predicted` seconds. */
  public bound(predicted: FailurePrediction | undefined): number {
    return Math.max(20_000, (predicted?.recoverySeconds ?? 0) * 3000 + 10_000);
  }

  /**
   * `GET <path>` of Patroni's REST API, asked of each running node in turn (but `except`), read
   * by `read`; the first answer it makes something of, undefined when none.
   */
  private async askAnyNode<T>(
    apiPath: string,
    read: (body: unknown) => T | undefined,
    except: readonly string[] = [],
  ): Promise<T | undefined> {
    for (const node of this.plan.nodes) {
      if (except.includes(node.hostname) || !this.lab.isRunning(node.hostname)) continue;
      const r = await this.lab.exec(
        node.hostname,
        ["curl", "-fsS", "--max-time", "2", `http://${node.address}:${this.plan.restApiPort}${apiPath}`],
        { allowFailure: true, timeoutMs: 5000 },
      );
      if (r.code !== 0) continue;
      try {
        const value = read(JSON.parse(r.stdout));
        if (value !== undefined) return value;
      } catch {
        // a node answering something else: ask the next one
      }
    }
    return undefined;
  }

  /** Patroni's members as a running node reports them; empty when none answers. */
  public async members(except: readonly string[] = []): Promise<ClusterMember[]> {
    const members = await this.askAnyNode(
      "/cluster",
      (body) =>
        ((body as { members?: ClusterMember[] }).members ?? []).map((m) => ({
          name: m.name,
          role: m.role,
          state: m.state,
          ...(m.host !== undefined ? { host: m.host } : {}),
        })),
      except,
    );
    return members ?? [];
  }

  /** The nodes that answer 200 on `GET /primary` now (more than one: a split brain). */
  public async primaries(): Promise<string[]> {
    const out: string[] = [];
    for (const node of this.plan.nodes) if (await this.isPrimary(node)) out.push(node.hostname);
    return out;
  }

  /** The etcd member that leads now, by its own status; undefined when none says so. */
  public async etcdLeader(): Promise<PostgresHost | undefined> {
    for (const member of this.plan.dcs) {
      const status = await this.etcdStatus(member);
      if (status?.self !== undefined && status.self === status.leader) return member;
    }
    return undefined;
  }

  /** The etcd member id (decimal text) of the member on `host`, by its own status. */
  public async etcdMemberId(host: PostgresHost): Promise<string | undefined> {
    return (await this.etcdStatus(host))?.self;
  }

  /** `etcdctl endpoint status` of the member on `host`: its id and its leader's (uint64s as text). */
  private async etcdStatus(host: PostgresHost): Promise<{ self?: string; leader?: string } | undefined> {
    if (!this.lab.isRunning(host.hostname)) return undefined;
    const r = await this.lab.exec(
      host.hostname,
      [
        "etcdctl",
        "--endpoints=http://127.0.0.1:2379",
        "--dial-timeout=2s",
        "endpoint",
        "status",
        "--write-out=json",
      ],
      { allowFailure: true, timeoutMs: 5000 },
    );
    if (r.code !== 0) return undefined;
    const self = /"member_id":(\d+)/.exec(r.stdout)?.[1];
    const leader = /"leader":(\d+)/.exec(r.stdout)?.[1];
    return { ...(self !== undefined ? { self } : {}), ...(leader !== undefined ? { leader } : {}) };
  }

  /** Hands etcd's leadership to the member on `to` (etcdctl move-leader, asked of the leader). */
  public async moveEtcdLeader(from: PostgresHost, to: PostgresHost): Promise<boolean> {
    const id = await this.etcdMemberId(to);
    if (id === undefined) return false;
    const r = await this.lab.exec(
      from.hostname,
      [
        "etcdctl",
        "--endpoints=http://127.0.0.1:2379",
        "--dial-timeout=2s",
        "move-leader",
        BigInt(id).toString(16),
      ],
      { allowFailure: true, timeoutMs: 10_000 },
    );
    return r.code === 0 && (await this.etcdLeader())?.hostname === to.hostname;
  }

  /**
   * With etcd beside the nodes, makes sure the member on `host` does not lead etcd when `host`
   * is lost: a lost etcd leader is a fault of its own (`dcs-leader-and-primary-loss`), which
   * costs an election and, on etcd's side, more: a new leader extends every lease by its
   * election timeout (etcd's lessor `Promote`), so Patroni's keys outlive their ttl. It hands the
   * leadership to another member, then waits two of Patroni's loops, in which every node renews
   * its lease to its plain ttl again. Says what it did; nothing when etcd runs apart or another
   * member leads already.
   */
  public async etcdLeaderOff(host: PostgresHost): Promise<void> {
    if (!this.plan.dcs.some((h) => h.hostname === host.hostname)) return;
    const leader = await this.etcdLeader();
    if (!leader) this.fail("no etcd member says it leads");
    if (leader.hostname !== host.hostname) return;
    const to = this.plan.dcs.find((h) => h.hostname !== host.hostname && this.lab.isRunning(h.hostname));
    if (!to || !(await this.moveEtcdLeader(leader, to)))
      this.fail(`could not hand etcd's leadership from ${host.hostname} to another member`);
    const loopWait = await this.loopWaitSeconds();
    this.env.say(
      `etcd's leadership handed from ${host.hostname} to ${to.hostname}; waiting ${2 * loopWait} s for the leases to be renewed`,
    );
    await sleep(2 * loopWait * 1000);
  }

  /** Patroni's `loop_wait` as a running node's `GET /config` reports it. */
  private async loopWaitSeconds(): Promise<number> {
    const loopWait = await this.askAnyNode("/config", (body) => {
      const v = (body as { loop_wait?: unknown }).loop_wait;
      return typeof v === "number" && v > 0 ? v : undefined;
    });
    return loopWait ?? this.fail("no node reported Patroni's loop_wait (GET /config)");
  }

  /** Whether `node`'s Patroni says it is primary now (asked from inside the node). */
  public async isPrimary(node: PostgresHost): Promise<boolean> {
    if (!this.lab.isRunning(node.hostname)) return false;
    const r = await this.lab.exec(
      node.hostname,
      [
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "2",
        `http://${node.address}:${this.plan.restApiPort}/primary`,
      ],
      { allowFailure: true, timeoutMs: 5000 },
    );
    return r.stdout.trim() === "200";
  }

  /** The node that acknowledged the writer's latest commit. */
  public currentPrimary(): PostgresHost {
    const last = [...this.client.records].reverse().find((r) => r.outcome === "ok");
    const node = this.plan.nodes.find((n) => n.address === last?.answeredBy);
    if (!node) this.fail(`no node acknowledged the writer's commits (last: ${last?.answeredBy ?? "none"})`);
    return node;
  }

  /**
   * The rows the table holds, read through the read-write port (bounded), against the
   * acknowledgements that came before the read began: the writer goes on meanwhile, and a commit
   * acknowledged after the read's snapshot is not in it (counting it lost was the drill's error).
   */
  public async ledger(): Promise<WriteLedger> {
    let lastError = "";
    const deadline = nowMs() + 30_000;
    while (nowMs() < deadline) {
      try {
        const startedMs = nowMs();
        const present = await readBack(this.lab, this.place, this.target, 10_000);
        return writeLedger(
          this.client.records.filter((r) => r.endMs < startedMs),
          present,
        );
      } catch (e) {
        lastError = (e as Error).message;
        await sleep(500);
      }
    }
    throw new DrillError(
      `could not read the writes back through ${this.plan.address}:${this.plan.readWritePort}: ${lastError}`,
    );
  }

  private async startHosts(): Promise<void> {
    const nodes = new Set(this.plan.nodes.map((h) => h.hostname));
    const routers = new Set(this.plan.routers.map((h) => h.hostname));
    const dcsOnly = this.plan.dcs.filter((h) => !nodes.has(h.hostname)).map((h) => h.hostname);
    await startHostsTogether(this.lab, dcsOnly);
    await startHostsTogether(this.lab, nodes);
    await startHostsTogether(this.lab, routers);
    await startHostsTogether(
      this.lab,
      this.lab.hostnames().filter((h) => !nodes.has(h) && !routers.has(h) && !dcsOnly.includes(h)),
    );
    // The application's password, as the lab generated it, in a file only root reads.
    const password = await this.lab.readFile(this.plan.nodes[0]?.hostname as string, this.plan.passwordFile);
    if (!password?.trim())
      this.fail(`${this.plan.passwordFile} is missing on ${this.plan.nodes[0]?.hostname}`);
    this.passwordPath = path.join(this.lab.workDir, "postgres-application-password");
    fs.writeFileSync(this.passwordPath, `${password.trim()}\n`, { mode: 0o600 });
  }

  /** A leader, every other node a running replica, and the synchronous standby named, within a bound. */
  private async waitForCluster(): Promise<void> {
    const want = this.plan.nodes.length;
    let seen: ClusterMember[] = [];
    const ready = async () => {
      seen = await this.members();
      const leaders = seen.filter((m) => m.role === "leader" && m.state === "running");
      const replicas = seen.filter(
        (m) => m.role !== "leader" && (m.state === "running" || m.state === "streaming"),
      );
      // Synchronous mode starts only once Patroni names the standby, a loop or two after the
      // replicas stream: until then commits wait for no one, and a failover may lose them.
      const sync = !this.plan.synchronous || seen.some((m) => m.role === "sync_standby");
      return leaders.length === 1 && replicas.length === want - 1 && sync;
    };
    const deadline = nowMs() + 180_000;
    while (!(await ready())) {
      if (nowMs() > deadline) {
        this.fail(
          `Patroni reported no leader with ${want - 1} running replicas within 180 s (${JSON.stringify(seen)})`,
        );
      }
      await sleep(500);
    }
  }

  private async startWriter(): Promise<void> {
    this.client = await SQL_WRITER.start(this.lab, this.place, {
      ...this.target,
      intervalMs: WRITE_INTERVAL_MS,
      timeoutMs: WRITE_TIMEOUT_MS,
      maxSeconds: 600,
    });
    const steady = () => {
      const recent = this.client.records.slice(-20);
      return recent.length === 20 && recent.every((r) => r.outcome === "ok");
    };
    if ((await waitUntil(steady, 60_000, 50)) === undefined) {
      const last = this.client.records.slice(-5).map((r) => r.outcome);
      this.fail(
        `the writer did not commit steadily through ${this.plan.address}:${this.plan.readWritePort} within 60 s (last: ${last.join(", ")})`,
      );
    }
    await sleep(1000);
  }

  public async close(): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.client?.stop();
    } catch (e) {
      problems.push((e as Error).message);
    }
    return problems;
  }
}
