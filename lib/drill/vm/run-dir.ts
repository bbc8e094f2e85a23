/**
 * A VM's run folder (console log, command socket) under the temporary folder, named after the
 * process that owns it: `ha-vm-<pid>-<random>`. A process killed outright cannot remove its
 * own, so each boot first removes the folders of owners that are gone.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../engine/host-commands";

const PREFIX = "ha-vm-";

/** Removes the run folders under `parent` whose owning process is gone; returns their paths. */
export function sweepRunDirs(parent = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const owner = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length).split("-")[0]) : Number.NaN;
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/** A fresh run folder of this process under `parent`, after sweeping the stale ones. */
export function makeRunDir(parent = tmpdir()): string {
  sweepRunDirs(parent);
  return mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
}
