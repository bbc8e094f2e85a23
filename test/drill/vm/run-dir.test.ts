import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { makeRunDir, sweepRunDirs } from "../../../lib/drill/vm/run-dir";

const parent = mkdtempSync(join(tmpdir(), "ha-vm-runs-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** The PID of a process that has ended. */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

describe("VM run folders", () => {
  test("a run folder is named after this process, and stale ones of gone owners are swept first", () => {
    const stale = join(parent, `ha-vm-${deadPid()}-abc123`);
    const live = join(parent, `ha-vm-${process.ppid}-def456`);
    const other = join(parent, "ha-vm-cache-xyz");
    for (const d of [stale, live, other]) mkdirSync(d);
    const mine = makeRunDir(parent);
    expect(dirname(mine)).toBe(parent);
    expect(basename(mine)).toMatch(new RegExp(`^ha-vm-${process.pid}-`));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(sweepRunDirs(parent)).toEqual([]);
    expect(existsSync(mine)).toBe(true);
  });
});
