import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import { checkSqlTarget, readBack, SQL_WRITER, writeLedger } from "../../../lib/drill/clients/sql";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs, sleep } from "../../../lib/drill/core/proc";
import { waitUntil } from "../../../lib/drill/core/wait";
import { caught } from "../../support/errors";
import { runCommand } from "../../support/netns";
import { pythonModulesAvailable, tierAvailable } from "../../support/tiers";
import { labAvailable, listening, tinyLab } from "../lab-fixture";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const available =
  labAvailable() &&
  tierAvailable(
    "drills: SQL client",
    [`${PG_BIN}/postgres`, `${PG_BIN}/initdb`, "runuser", "setpriv", "psql"],
    true,
  ) &&
  pythonModulesAvailable("drills: SQL client", ["psycopg2"]);

const TARGET = { address: "198.18.10.3", port: 5432, database: "postgres", user: "drill" };

describe("checkSqlTarget", () => {
  test.each([
    [{ table: "x; DROP TABLE y" }, "table"],
    [{ table: "Upper" }, "table"],
    [{ database: "a b" }, "database"],
    [{ user: "u'" }, "user"],
    [{ port: 0 }, "port"],
  ])("refuses %j, which could break a statement or the connection", (bad, what) => {
    expect(caught(() => checkSqlTarget({ ...TARGET, passwordFile: "/x", ...bad })).message).toContain(what);
  });
});

describe("writeLedger", () => {
  test("counts acknowledged rows missing from the read-back, and rows present without an acknowledgement", () => {
    const r = (seq: number, outcome: string, answeredBy?: string) => ({
      seq,
      startMs: seq,
      endMs: seq + 1,
      outcome,
      answeredBy,
    });
    const records = [r(1, "ok", "a"), r(2, "ok", "a"), r(3, "timeout"), r(4, "ok", "b"), r(5, "refused")];
    expect(writeLedger(records, [1, 3, 4])).toEqual({
      acknowledged: 3,
      lost: [2],
      unacknowledgedPresent: [3],
      acknowledgedBy: { a: 2, b: 1 },
    });
  });
});

describe.runIf(available)("the SQL writer against a real PostgreSQL in a lab", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ha-sql-test-"));
    chmodSync(dir, 0o755);
    return () => rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
    client = undefined;
    lab = undefined;
  });

  test("commits numbered rows, records who acknowledged them, and a read-back finds every one", async () => {
    // GIVEN PostgreSQL 15 in beta (198.18.10.3), a user with a password, and the password in a file
    const data = join(dir, "data");
    const sockets = join(dir, "sockets");
    runCommand("install", ["-d", "-o", "postgres", "-m", "0700", data]);
    runCommand("install", ["-d", "-o", "postgres", "-m", "0755", sockets]);
    const passwordFile = join(dir, "password");
    writeFileSync(passwordFile, "Drill0Password0Secret\n", { mode: 0o644 });
    runCommand("runuser", [
      "-u",
      "postgres",
      "--",
      `${PG_BIN}/initdb`,
      "-D",
      data,
      "-A",
      "scram-sha-256",
      "-U",
      "postgres",
      `--pwfile=${passwordFile}`,
    ]);
    writeFileSync(
      join(data, "pg_hba.conf"),
      "host all all 198.18.10.0/24 scram-sha-256\nlocal all all trust\n",
    );
    lab = await tinyLab();
    const start = () =>
      lab?.spawn(
        "beta",
        [
          // setpriv execs PostgreSQL in its place (runuser would stay its parent and keep the signals)
          "setpriv",
          "--reuid=postgres",
          "--regid=postgres",
          "--clear-groups",
          `${PG_BIN}/postgres`,
          "-D",
          data,
          "-c",
          "listen_addresses=198.18.10.3",
          "-c",
          `unix_socket_directories=${sockets}`,
        ],
        "postgres",
      );
    let pg = start();
    expect(await listening(lab, "beta", 5432)).toBe(true);
    runCommand("runuser", [
      "-u",
      "postgres",
      "--",
      "psql",
      "-h",
      sockets,
      "-c",
      "CREATE USER drill PASSWORD 'Drill0Password0Secret' SUPERUSER",
    ]);

    // WHEN the writer commits a row every 20 ms, and PostgreSQL is stopped and started again meanwhile
    client = await SQL_WRITER.start(lab, lab.clientOn("front").place, {
      ...TARGET,
      passwordFile,
      intervalMs: 20,
      timeoutMs: 1000,
    });
    const c = client;
    await waitUntil(() => c.records.filter((r) => r.outcome === "ok").length >= 20, 10_000, 20);
    const stopAt = nowMs();
    pg?.kill("SIGINT");
    await waitUntil(() => c.records.some((r) => r.startMs > stopAt && r.outcome !== "ok"), 10_000, 20);
    await sleep(500);
    pg = start();
    const backAt = nowMs();
    await waitUntil(() => c.records.some((r) => r.startMs > backAt && r.outcome === "ok"), 15_000, 20);
    await sleep(300);
    await c.stop();

    // THEN writes failed while it was down, every acknowledged one is in the table, each by beta
    const failed = c.records.filter((r) => r.outcome !== "ok");
    expect(failed.length).toBeGreaterThan(0);
    expect(
      failed.every((r) => ["refused", "reset", "timeout"].includes(r.outcome)),
      JSON.stringify(failed.slice(0, 3)),
    ).toBe(true);
    const present = await readBack(lab, lab.clientOn("front").place, { ...TARGET, passwordFile });
    const ledger = writeLedger(c.records, present);
    expect(ledger.acknowledged).toBeGreaterThan(20);
    expect(ledger.lost).toEqual([]);
    expect(ledger.acknowledgedBy).toEqual({ "198.18.10.3": ledger.acknowledged });
    console.log(
      `sql writer: ${ledger.acknowledged} acknowledged, ${failed.length} failed while PostgreSQL restarted, 0 lost`,
    );

    // AND a deleted acknowledged row is counted as lost
    runCommand("runuser", [
      "-u",
      "postgres",
      "--",
      "psql",
      "-h",
      sockets,
      "-c",
      `DELETE FROM ha_drill_writes WHERE seq = ${c.records.find((r) => r.outcome === "ok")?.seq}`,
    ]);
    expect(
      writeLedger(c.records, await readBack(lab, lab.clientOn("front").place, { ...TARGET, passwordFile }))
        .lost,
    ).toHaveLength(1);
    pg?.kill("SIGINT");
  }, 90_000);
});
