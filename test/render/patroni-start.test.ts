import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  PATRONI_SECRETS_FILE,
  type PatroniStartScript,
  renderPatroniStartScript,
} from "../../lib/render/patroni-start";
import { badInputTable } from "../support/bad-inputs";

const WHERE = "stack/db/Node1";
const OPTIONS: PatroniStartScript = {
  configPath: "/etc/patroni/patroni.yml",
  secretFiles: {
    superuser: "/run/secrets/pg-superuser",
    replication: "/run/secrets/pg-replication",
    rewind: "/run/secrets/pg-rewind",
  },
  ownedDirs: ["/var/lib/postgresql/data"],
};

const dir = mkdtempSync(join(tmpdir(), "hat-patroni-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script's `password` function run by sh on a file holding `content`. */
function password(content: string): { status: number | null; stdout: string; stderr: string } {
  const script = renderPatroniStartScript(WHERE, OPTIONS);
  const fn = script.slice(script.indexOf("password() {"), script.indexOf("\n}\n") + 3);
  const file = join(dir, "secret");
  writeFileSync(file, content);
  const r = spawnSync("sh", ["-c", `${fn}password "$1"`, "sh", file], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("renderPatroniStartScript", () => {
  test("reads each secret file, writes the runtime directory and execs Patroni on it as postgres", () => {
    // GIVEN the default runtime directory and account
    // WHEN the script is rendered
    const text = renderPatroniStartScript(WHERE, OPTIONS);
    // THEN it is a strict POSIX sh script doing these steps in this order
    const steps = [
      "#!/bin/sh",
      "set -eu",
      "umask 077",
      "runtime=/run/patroni",
      "superuser=$(password /run/secrets/pg-superuser)",
      "replication=$(password /run/secrets/pg-replication)",
      "rewind=$(password /run/secrets/pg-rewind)",
      "install -d -m 0700 -o postgres -g postgres /var/lib/postgresql/data",
      'install -d -m 0700 -o postgres -g postgres "$runtime"',
      'install -m 0600 -o postgres -g postgres /etc/patroni/patroni.yml "$runtime/00-patroni.yml"',
      `secrets="$runtime/${PATRONI_SECRETS_FILE}"`,
      'chown postgres:postgres "$secrets.new"',
      'mv -f -- "$secrets.new" "$secrets"',
      'exec setpriv --reuid=postgres --regid=postgres --init-groups /usr/bin/patroni "$runtime"',
    ];
    const at = steps.map((s) => text.split("\n").indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(text.trimEnd().split("\n").at(-1)).toBe(steps.at(-1));
  });

  test("quotes paths that need it and takes the given account, directory and binary", () => {
    const text = renderPatroniStartScript(WHERE, {
      ...OPTIONS,
      runtimeDir: "/run/pg+1",
      runAs: "pgsvc",
      patroniPath: "/opt/patroni/bin/patroni",
    });
    expect(text).toContain("runtime=/run/pg+1\n");
    expect(text).toContain("exec setpriv --reuid=pgsvc --regid=pgsvc --init-groups /opt/patroni/bin/patroni");
    expect(text).toContain('install -d -m 0700 -o pgsvc -g pgsvc "$runtime"');
  });

  test.each([
    ["an alphanumeric password", "Abc123xyz\n", "Abc123xyz"],
    [
      "a password with quotes and YAML indicators",
      'it\'s: #1 "x" {y} [z] & *a\n',
      'it\'s: #1 "x" {y} [z] & *a',
    ],
    ["a password with a dollar and backquote", "$(id)`id`$HOME", "$(id)`id`$HOME"],
    ["a password without a final newline", "s3cret", "s3cret"],
  ])("writes %s as a YAML scalar that reads back unchanged", (_name, content, expected) => {
    // GIVEN a secret file with that content
    // WHEN the script's password function reads it
    const r = password(content);
    // THEN it prints a single-quoted YAML scalar whose value is the password
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("'")).toBe(true);
    expect(parse(`password: ${r.stdout}\n`)).toEqual({ password: expected });
  });

  test.each([
    ["an empty file", ""],
    ["a password with a line break inside", "abc\ndef\n"],
    ["a password with a tab", "abc\tdef"],
    ["a password with an escape character", "abc\u001bdef"],
  ])("fails %s", (_name, content) => {
    // GIVEN a secret file that cannot hold one password
    // WHEN the password function reads it
    const r = password(content);
    // THEN it fails with a message naming the file, printing nothing
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/patroni-start: .*secret is empty or holds control characters/);
  });

  test("is valid sh syntax", () => {
    const file = join(dir, "start.sh");
    writeFileSync(file, renderPatroniStartScript(WHERE, OPTIONS));
    expect(() => execFileSync("sh", ["-n", file])).not.toThrow();
  });
});

describe("patroni start script validation", () => {
  const render = (o: Partial<PatroniStartScript>) => () =>
    renderPatroniStartScript(WHERE, { ...OPTIONS, ...o });
  badInputTable([
    {
      name: "a relative config path",
      build: render({ configPath: "patroni.yml" }),
      path: WHERE,
      value: "patroni.yml",
      allowed: "absolute",
    },
    {
      name: "a secret path with a space",
      build: render({ secretFiles: { ...OPTIONS.secretFiles, rewind: "/run/my secrets/x" } }),
      path: WHERE,
      value: "/run/my secrets/x",
      allowed: "absolute path",
    },
    {
      name: "a secret path with a command substitution",
      build: render({ secretFiles: { ...OPTIONS.secretFiles, superuser: "/run/$(reboot)" } }),
      path: WHERE,
      value: "/run/$(reboot)",
      allowed: "absolute path",
    },
    {
      name: "an account with a colon",
      build: render({ runAs: "pg:pg" }),
      path: WHERE,
      value: "pg:pg",
      allowed: "letters",
    },
    {
      name: "a runtime dir with '..'",
      build: render({ runtimeDir: "/run/../etc" }),
      path: WHERE,
      value: "/run/../etc",
      allowed: "'..'",
    },
    {
      name: "an owned dir with a quote",
      build: render({ ownedDirs: ["/data/'x"] }),
      path: WHERE,
      value: "/data/'x",
      allowed: "absolute path",
    },
  ]);
});
