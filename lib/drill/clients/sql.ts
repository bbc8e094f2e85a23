/**
 * The SQL writer: commits one numbered row per probe to a PostgreSQL table through one
 * connection (opened again after any failure), in autocommit, and records each commit the server
 * acknowledged, with the address of the server that took it (`inet_server_addr()`), so that a
 * drill can read the table back from the new primary after a fault and count acknowledged rows
 * that are missing: the data-loss measurement. Writes go one at a time, in order (psycopg2, the
 * Debian package `python3-psycopg2`, in a worker thread); the password is read from a file.
 */
import type { ChildProcess } from "node:child_process";
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import { ProcessRegistry } from "../core/proc";
import type { ClientKind, CommonOutcome, DrillClient, ProbePacing, ProbeRecord } from "./client";
import { ProbeProcess, probeProgram } from "./probe-process";

/** How a write ended: `read-only` when a replica (or a demoted primary) refused it. */
export type SqlOutcome = CommonOutcome | "read-only" | "auth" | "sql-error";

/** Where and as whom the client connects. */
export interface SqlTarget {
  readonly address: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** A file holding the password, readable where the client runs. */
  readonly passwordFile: string;
  /** The table the writer fills: a plain identifier. @default "ha_drill_writes" */
  readonly table?: string;
}

export interface SqlWriterOptions extends SqlTarget, ProbePacing {}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const DATABASE = /^[A-Za-z0-9_.-]{1,63}$/;

/** Throws for a target whose names could break a statement or a connection string. */
export function checkSqlTarget(t: SqlTarget): void {
  const table = t.table ?? "ha_drill_writes";
  if (!IDENTIFIER.test(table))
    throw new DrillError(`table ${JSON.stringify(table)}: use a lower-case identifier`);
  if (!DATABASE.test(t.database))
    throw new DrillError(`database ${JSON.stringify(t.database)}: use letters, digits, _ . -`);
  if (!DATABASE.test(t.user))
    throw new DrillError(`user ${JSON.stringify(t.user)}: use letters, digits, _ . -`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    throw new DrillError(`port ${t.port}: use 1-65535`);
}

/** Connects as the target says; `TABLE` is checked by checkSqlTarget before it reaches here. */
const CONNECT_PY = String.raw`
import psycopg2, psycopg2.errors
TABLE = CONFIG["table"]
with open(CONFIG["passwordFile"]) as f:
    PASSWORD = f.read().strip()

def connect(timeout_s):
    c = psycopg2.connect(host=CONFIG["address"], port=CONFIG["port"], dbname=CONFIG["database"],
                         user=CONFIG["user"], password=PASSWORD, connect_timeout=max(1, int(timeout_s)),
                         keepalives=1, keepalives_idle=1, keepalives_interval=1, keepalives_count=2,
                         options="-c statement_timeout=%d" % int(timeout_s * 1000), application_name="ha-drill")
    c.autocommit = True
    return c
`;

const WRITER_PY = String.raw`
#CONNECT#
import concurrent.futures
worker = concurrent.futures.ThreadPoolExecutor(max_workers=1)
state = {"conn": None, "ready": False}

def outcome_of(exc):
    if isinstance(exc, psycopg2.errors.ReadOnlySqlTransaction):
        return "read-only"
    if isinstance(exc, psycopg2.OperationalError):
        text = str(exc)
        if "password authentication failed" in text or "no pg_hba.conf entry" in text:
            return "auth"
        if "Connection refused" in text:
            return "refused"
        if "timeout" in text or "timed out" in text:
            return "timeout"
        return "reset"
    if isinstance(exc, psycopg2.Error):
        return "sql-error"
    return None

def write(seq):
    if state["conn"] is None:
        state["conn"] = connect(timeout)
        if not state["ready"]:
            with state["conn"].cursor() as cur:
                cur.execute("CREATE TABLE IF NOT EXISTS %s (seq bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), server text)" % TABLE)
            state["ready"] = True
    try:
        with state["conn"].cursor() as cur:
            cur.execute("INSERT INTO %s (seq, server) VALUES (%%s, inet_server_addr()::text) RETURNING server" % TABLE, (seq,))
            return cur.fetchone()[0]
    except Exception:
        try:
            state["conn"].close()
        except Exception:
            pass
        state["conn"] = None
        raise

async def probe(rec):
    try:
        server = await asyncio.get_running_loop().run_in_executor(worker, write, rec["i"])
    except Exception as exc:
        kind = outcome_of(exc)
        if kind is None:
            raise
        rec["k"] = kind
        rec["x"] = type(exc).__name__
        return
    rec["k"] = "ok"
    rec["by"] = (server or "").split("/")[0]
`;

const READ_BACK_PY = String.raw`
import json, sys
CONFIG = json.loads(sys.argv[1])
#CONNECT#
c = connect(CONFIG["timeoutMs"] / 1000.0)
with c.cursor() as cur:
    cur.execute("SELECT seq FROM %s ORDER BY seq" % TABLE)
    print(json.dumps([r[0] for r in cur.fetchall()]))
`;

export const SQL_WRITER: ClientKind<SqlWriterOptions, SqlOutcome> = {
  kind: "sql-writer",
  start(lab: Lab, place: string, options: SqlWriterOptions): Promise<DrillClient<SqlOutcome>> {
    checkSqlTarget(options);
    return ProbeProcess.start<SqlOutcome>(lab, place, {
      target: `postgresql://${options.user}@${options.address}:${options.port}/${options.database} (${options.table ?? "ha_drill_writes"})`,
      name: "sql-writer",
      program: probeProgram(WRITER_PY.replace("#CONNECT#", CONNECT_PY.trim())),
      pacing: { intervalMs: 50, timeoutMs: 2000, ...options },
      config: targetConfig(options),
    });
  },
};

function targetConfig(t: SqlTarget) {
  return {
    address: t.address,
    port: t.port,
    database: t.database,
    user: t.user,
    passwordFile: t.passwordFile,
    table: t.table ?? "ha_drill_writes",
  };
}

/** The sequence numbers the table holds now, read through `target` (a primary or replica). */
export async function readBack(
  lab: Lab,
  place: string,
  target: SqlTarget,
  timeoutMs = 10_000,
): Promise<number[]> {
  checkSqlTarget(target);
  const config = JSON.stringify({ ...targetConfig(target), timeoutMs });
  const child: ChildProcess = lab.spawn(
    place,
    ["/usr/bin/python3", "-c", READ_BACK_PY.replace("#CONNECT#", CONNECT_PY.trim()), config],
    "sql read-back",
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  if (!(await ProcessRegistry.waitExit(child, timeoutMs + 20_000))) {
    child.kill("SIGKILL");
    throw new DrillError(`reading ${target.address}:${target.port} back took longer than ${timeoutMs} ms`);
  }
  if (child.exitCode !== 0)
    throw new DrillError(`reading ${target.address}:${target.port} back failed: ${err.trim()}`);
  return (JSON.parse(out) as unknown[]).map(Number);
}

/** What a read-back shows of the writes a client recorded. */
export interface WriteLedger {
  /** Commits the server acknowledged. */
  readonly acknowledged: number;
  /** Acknowledged rows the table no longer holds: the data lost. */
  readonly lost: readonly number[];
  /** Rows the table holds whose commit the client never saw acknowledged (in flight at a fault). */
  readonly unacknowledgedPresent: readonly number[];
  /** Servers that acknowledged writes, with their count (two at once: a split brain). */
  readonly acknowledgedBy: Readonly<Record<string, number>>;
}

/** Compares the client's acknowledged writes with the rows read back. */
export function writeLedger(records: readonly ProbeRecord[], present: readonly number[]): WriteLedger {
  const held = new Set(present);
  const acked = records.filter((r) => r.outcome === "ok");
  const ackedSeqs = new Set(acked.map((r) => r.seq));
  const by: Record<string, number> = {};
  for (const r of acked) by[r.answeredBy ?? "?"] = (by[r.answeredBy ?? "?"] ?? 0) + 1;
  return {
    acknowledged: acked.length,
    lost: acked.map((r) => r.seq).filter((s) => !held.has(s)),
    unacknowledgedPresent: present.filter((s) => !ackedSeqs.has(s)),
    acknowledgedBy: by,
  };
}
