/**
 * One lab at a time per cache folder: two daemons on one data root would corrupt it. The lock
 * is a file holding the PID that owns it; a lock whose owner is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EngineError } from "./engine-error";
import { isAlive } from "./host-commands";

/** Path of the lock file of `cacheDir`. */
export function lockPath(cacheDir: string): string {
  return join(cacheDir, "lab.lock");
}

/** The PID holding the lock of `cacheDir`, when one holds it and is alive. */
export function lockOwner(cacheDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath(cacheDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock for `owner` (this process unless told), or throws naming who holds it. */
export function takeLock(cacheDir: string, owner = process.pid): void {
  mkdirSync(cacheDir, { recursive: true });
  const holder = lockOwner(cacheDir);
  if (holder !== undefined && holder !== process.pid && holder !== owner) {
    throw new EngineError(
      `another engine lab uses ${cacheDir} (PID ${holder}); run \`ha-lab down\` or wait for it to end`,
    );
  }
  rmSync(lockPath(cacheDir), { force: true });
  writeFileSync(lockPath(cacheDir), `${owner}\n`, { flag: "wx" });
}

/** Releases the lock. */
export function releaseLock(cacheDir: string): void {
  rmSync(lockPath(cacheDir), { force: true });
}

/**
 * Waits at most `waitMs` for another live owner of the lock of `cacheDir` to release it, then
 * takes it (throwing, naming the holder, if it is still held).
 */
export async function waitForLock(
  cacheDir: string,
  waitMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const owner = lockOwner(cacheDir);
    if (owner === undefined || owner === process.pid || Date.now() >= deadline) break;
    if (!told) log(`engine: waiting for the lab of PID ${owner} on ${cacheDir} to end`);
    told = true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  takeLock(cacheDir);
}
