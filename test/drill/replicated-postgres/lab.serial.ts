/**
 * Drill tier: the synthesized `replicated-postgres-docker-drill` stack, exactly as Terraform would
 * get it, brought up in network namespaces by the drill lab (its volumes and generated
 * passwords too) and run on this machine's etcd, Patroni, PostgreSQL 15, HAProxy and
 * keepalived: the cluster bootstraps from the rendered files, the application's role and
 * database exist, the routers' shared address sends writes to the primary and reads to a
 * replica, Patroni's own validator accepts each node's file in its host, and haproxy and
 * keepalived the routers'. The faults are the drills' (`drill.serial.ts`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs, sleep } from "../../../lib/drill/core/proc";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { killProcess, supervisedProcess } from "../../../lib/drill/faults/process-kill";
import { tierAvailable } from "../../support/tiers";
import { withVmSlot } from "../../support/vm-tier";
import { type SynthesizedExample, synthesizeDrillExample } from "../fixture";
import { labAvailable } from "../lab-fixture";

const TIER = "drills: replicated PostgreSQL stack";
const EXAMPLE = "replicated-postgres-docker-drill";
const PSQL = "/usr/lib/postgresql/15/bin/psql";
const NODES = ["orders-pg-0", "orders-pg-1", "orders-pg-2"];
const ROUTERS = ["orders-router-0", "orders-router-1"];
const VIP = "198.18.8.2";

const available =
  labAvailable() &&
  tierAvailable(
    TIER,
    [
      "patroni",
      "etcd",
      "haproxy",
      "keepalived",
      "curl",
      "setpriv",
      PSQL,
      "/usr/lib/postgresql/15/bin/postgres",
    ],
    true,
  );

describe.runIf(available)(TIER, () => {
  let example: SynthesizedExample;
  let lab: NamespaceLab;
  let password = "";
  /** When the first host started (set in beforeAll: the suite may wait its turn for minutes). */
  let startedAt = 0;

  /** One SQL statement through `port` of the shared address, from `router`, as the application. */
  const sql = async (statement: string, port = 5000, router = "orders-router-1") =>
    lab.exec(
      router,
      [
        "env",
        `PGPASSWORD=${password}`,
        "PGCONNECT_TIMEOUT=2",
        PSQL,
        "-X",
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        `host=${VIP} port=${port} user=app dbname=app`,
        "-c",
        statement,
      ],
      { allowFailure: true, timeoutMs: 10_000 },
    );

  /** Polls `statement` until it succeeds, at most `boundMs`; its output, or undefined. */
  const until = async (statement: string, boundMs: number, port = 5000) => {
    const deadline = nowMs() + boundMs;
    while (nowMs() < deadline) {
      const r = await sql(statement, port);
      if (r.code === 0) return r.stdout.trim();
      await sleep(200);
    }
    return undefined;
  };

  // The cluster runs while this file holds the VM tier's slot: beside an emulated guest it
  // starves it (and the guest it).
  let releaseSlot: () => void = () => undefined;
  let slot: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    await new Promise<void>((held) => {
      slot = withVmSlot(
        () =>
          new Promise<void>((release) => {
            releaseSlot = release;
            held();
          }),
        30 * 60_000,
      );
    });
    example = synthesizeDrillExample(EXAMPLE);
    lab = await NamespaceLab.create(parseDockerStack(example.document, EXAMPLE), {
      workDir: fs.mkdtempSync(path.join(os.tmpdir(), "ha-lab-pg-")),
    });
    startedAt = nowMs();
    for (const h of [...NODES, ...ROUTERS]) await lab.startHost(h);
    // The lab generated the passwords; the secret file is where the platform put it.
    password = ((await lab.readFile("orders-pg-0", "/etc/patroni/secrets/application")) ?? "").trim();
  }, 1_980_000);

  afterAll(async () => {
    const problems = (await lab?.teardown()) ?? [];
    example?.remove();
    releaseSlot();
    await slot;
    expect(problems).toEqual([]);
  }, 60_000);

  const logs = () => [...NODES, ...ROUTERS].map((h) => `--- ${h}\n${lab.logTail(h, 25)}`).join("\n");

  test("bootstraps from the rendered files: the application's database takes writes through the shared address", async () => {
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const primary = await until("SELECT host(inet_server_addr()), pg_is_in_recovery()", 120_000);
    expect(primary, logs()).toMatch(/^198\.18\.8\.[345]\|f$/);
    console.log(
      `${TIER}: writes through ${VIP}:5000 ${Math.round(nowMs() - startedAt) / 1000} s after the first host started`,
    );
    const made = await sql(
      "CREATE TABLE IF NOT EXISTS ledger (id int PRIMARY KEY); INSERT INTO ledger SELECT generate_series(1, 200)",
    );
    expect(made.code, made.stderr).toBe(0);
    // The role owns its database and no more.
    const role = await sql(
      "SELECT rolsuper OR rolcreaterole OR rolreplication FROM pg_roles WHERE rolname = current_user",
    );
    expect(role.stdout.trim()).toBe("f");
  }, 180_000);

  test("the read-only port answers from a replica that has the rows, and one standby is synchronous", async () => {
    const replica = await until("SELECT pg_is_in_recovery(), count(*) FROM ledger", 60_000, 5001);
    expect(replica, logs()).toBe("t|200");
    // Patroni's view: a leader, one synchronous standby (named a loop or two after the replicas
    // stream), one more replica, all running.
    let members: { role: string; state: string }[] = [];
    let body = "";
    const deadline = nowMs() + 30_000;
    while (nowMs() < deadline) {
      const cluster = await lab.exec(
        "orders-router-0",
        ["curl", "-fsS", "--max-time", "2", "http://198.18.8.3:8008/cluster"],
        { allowFailure: true },
      );
      body = cluster.stdout;
      members = (JSON.parse(body || "{}") as { members?: { role: string; state: string }[] }).members ?? [];
      if (members.some((m) => m.role === "sync_standby")) break;
      await sleep(500);
    }
    expect(members.map((m) => m.role).sort(), body).toEqual(["leader", "replica", "sync_standby"]);
    // Patroni 3.0.2 says "running" of a replica that streams; later versions "streaming".
    for (const m of members) expect(["running", "streaming"]).toContain(m.state);
  }, 120_000);

  test("patroni --validate-config accepts each node's patroni.yml in its own host, etcd up; haproxy and keepalived accept the routers'", async () => {
    // The validator binds the REST API's and PostgreSQL's addresses: each node's Patroni is held
    // down and its PostgreSQL stopped (Patroni leaves the postmaster running on purpose), then
    // both start again. A replica first, the primary last (the cluster fails over to a replica).
    const primaryAddress = await until("SELECT host(inet_server_addr())", 10_000);
    const order = [...NODES].sort(
      (a, b) =>
        Number(lab.container(a).address === primaryAddress) -
        Number(lab.container(b).address === primaryAddress),
    );
    const patroni = supervisedProcess("patroni");
    for (const node of order) {
      const held = await killProcess(lab, node, patroni);
      await lab.exec(
        node,
        [
          "setpriv",
          "--reuid=postgres",
          "--regid=postgres",
          "--clear-groups",
          "/usr/lib/postgresql/15/bin/pg_ctl",
          "-D",
          "/var/lib/postgresql/ha/data",
          "-m",
          "fast",
          "-w",
          "stop",
        ],
        { allowFailure: true, timeoutMs: 30_000 },
      );
      const verdict = await lab.exec(node, ["patroni", "--validate-config", "/etc/patroni/patroni.yml"], {
        allowFailure: true,
        timeoutMs: 30_000,
      });
      await held.heal?.();
      expect({ node, code: verdict.code, output: `${verdict.stdout}${verdict.stderr}`.trim() }).toEqual({
        node,
        code: 0,
        output: "",
      });
      const back = await until("SELECT 1", 60_000);
      expect(back, logs()).toBe("1");
      // Its PostgreSQL runs again (as a replica), before the next node is held down.
      const health = [
        "curl",
        "-fsS",
        "-o",
        "/dev/null",
        "--max-time",
        "1",
        `http://${lab.container(node).address}:8008/health`,
      ];
      const deadline = nowMs() + 90_000;
      let healthy = false;
      while (!healthy && nowMs() < deadline) {
        healthy = (await lab.exec("orders-router-0", health, { allowFailure: true })).code === 0;
        if (!healthy) await sleep(500);
      }
      expect(healthy, logs()).toBe(true);
    }
    for (const router of ROUTERS) {
      const haproxy = await lab.exec(router, ["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"], {
        allowFailure: true,
      });
      expect(haproxy.code, haproxy.stderr).toBe(0);
      const keepalived = await lab.exec(
        router,
        ["keepalived", "--config-test", "-f", "/etc/keepalived/keepalived.conf"],
        { allowFailure: true },
      );
      expect(keepalived.code, keepalived.stderr).toBe(0);
    }
  }, 300_000);
});
