import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { lockOwner, lockPath, releaseLock, takeLock } from "../../../lib/drill/engine/cache-lock";
import { EngineError } from "../../../lib/drill/engine/engine-error";

const dirs: string[] = [];
function cacheDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ha-lock-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("cache lock", () => {
  test("is taken and released by this process", () => {
    const dir = cacheDir();
    takeLock(dir);
    expect(lockOwner(dir)).toBe(process.pid);
    releaseLock(dir);
    expect(lockOwner(dir)).toBeUndefined();
  });

  test("throws naming the live owner of a lock held by another process", () => {
    // GIVEN a lock held by a live process that is not this one (this process's parent)
    const dir = cacheDir();
    writeFileSync(lockPath(dir), `${process.ppid}\n`);
    // THEN
    expect(() => takeLock(dir)).toThrow(EngineError);
    expect(() => takeLock(dir)).toThrow(`PID ${process.ppid}`);
  });

  test("takes over a lock whose owner is gone", () => {
    const dir = cacheDir();
    writeFileSync(lockPath(dir), "999999999\n");
    expect(lockOwner(dir)).toBeUndefined();
    takeLock(dir);
    expect(lockOwner(dir)).toBe(process.pid);
  });
});
