import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderPostgresPostInit } from "../../lib/render/postgres-post-init";
import { validationErrorOf } from "../support/errors";
import { runCommand } from "../support/netns";
import { tierAvailable } from "../support/tiers";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const BASE = { owner: "app", database: "orders", passwordFile: "/run/secrets/pg-app" };

describe("renderPostgresPostInit", () => {
  test("reads the password from its file inside psql: no password, no variable of it, in the script", () => {
    const script = renderPostgresPostInit("db/Node0", BASE);
    expect(script).toContain("\\set password `cat /run/secrets/pg-app`");
    expect(script).toContain(`exec ${PG_BIN}/psql "$1" -X -q -v ON_ERROR_STOP=1 <<'SQL'`);
    expect(script).not.toMatch(/PGPASSWORD|password=/);
    expect(script).toContain("format('CREATE ROLE %I LOGIN PASSWORD %L', 'app', :'password')");
    expect(script).toContain("format('CREATE DATABASE %I OWNER %I', 'orders', 'app')");
  });

  test.each([
    ["owner", { owner: "app'; DROP ROLE postgres; --" }, "application user"],
    ["database", { database: "Orders" }, "database name"],
    ["password file", { passwordFile: "/run/x`id`" }, "application password file"],
  ])("refuses a %s that could leave its SQL literal or shell word", (_what, bad, named) => {
    const e = validationErrorOf(() => renderPostgresPostInit("db/Node0", { ...BASE, ...bad }));
    expect(e.message).toContain("db/Node0");
    expect(e.message).toContain(named);
  });
});

const available = tierAvailable(
  "daemon: PostgreSQL post-init",
  [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, `${PG_BIN}/psql`, "runuser"],
  true,
);

describe.runIf(available)("daemon: the post-init script against PostgreSQL 15", () => {
  let dir = "";
  let data = "";
  let sockets = "";
  const asPostgres = (args: readonly string[], env = "") => {
    const r = runCommand("runuser", ["-u", "postgres", "--", "env", ...(env ? [env] : []), ...args], {
      timeoutMs: 60_000,
    });
    if (r.status !== 0) throw new Error(`${r.command}: exit ${r.status ?? r.signal}: ${r.lines.join(" | ")}`);
    return r;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ha-post-init-"));
    chmodSync(dir, 0o755);
    data = join(dir, "data");
    sockets = join(dir, "sockets");
    runCommand("install", ["-d", "-o", "postgres", "-m", "0700", data]);
    runCommand("install", ["-d", "-o", "postgres", "-m", "0755", sockets]);
    asPostgres([`${PG_BIN}/initdb`, "-D", data, "-A", "trust", "-U", "postgres"]);
    writeFileSync(join(data, "pg_hba.conf"), "local all postgres trust\nlocal all all scram-sha-256\n");
    // Unix socket only: nothing listens on the network.
    asPostgres([
      `${PG_BIN}/pg_ctl`,
      "-D",
      data,
      "-w",
      // The server's output to a file: pg_ctl's own pipes then close when it returns.
      "-l",
      join(sockets, "postgres.log"),
      "-o",
      `-c listen_addresses='' -c unix_socket_directories=${sockets}`,
      "start",
    ]);
  }, 120_000);

  afterAll(() => {
    if (data) {
      try {
        asPostgres([`${PG_BIN}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // not started
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("makes the role with the file's password and its database, once, whatever the password holds", () => {
    // GIVEN a password with quotes, a backslash and shell syntax, in a file only postgres reads
    const password = `it's "q"\\x $(id) \`id\` ;--`;
    const passwordFile = join(dir, "app-password");
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o400 });
    runCommand("chown", ["postgres", passwordFile]);
    const script = join(dir, "post-init");
    writeFileSync(script, renderPostgresPostInit("db/Node0", { ...BASE, passwordFile }), { mode: 0o755 });

    // WHEN Patroni would run it (a connection string as its argument), twice
    const conn = `host=${sockets} user=postgres dbname=postgres`;
    asPostgres([script, conn]);
    asPostgres([script, conn]);

    // THEN the role logs in to its database with exactly that password, and not without it
    const login = (pw: string) =>
      asPostgres(
        [
          `${PG_BIN}/psql`,
          "-X",
          "-At",
          "-h",
          sockets,
          "-U",
          "app",
          "-d",
          "orders",
          "-c",
          "SELECT current_user || '@' || current_database() || ':' || (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'orders')",
        ],
        `PGPASSWORD=${pw}`,
      );
    expect(login(password).stdout.trim()).toBe("app@orders:app");
    expect(() => login("wrong")).toThrow(/password authentication failed/);
    // AND the role has no privilege beyond its login
    const attrs = asPostgres([
      `${PG_BIN}/psql`,
      "-X",
      "-At",
      "-h",
      sockets,
      "-c",
      "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication FROM pg_roles WHERE rolname = 'app'",
    ]);
    expect(attrs.stdout.trim()).toBe("f|f|f|f");
  }, 60_000);
});
