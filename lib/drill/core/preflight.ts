/** Whether this machine can run a drill of a stack in namespaces. */
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillError } from "./drill-error";
import type { DrillStack } from "./stack";

/** Binaries a namespace lab runs itself. */
const TOOLS = ["ip", "nsenter", "unshare", "setpriv", "nft", "mount"];

/** Where `binary` is on PATH (or in the system's bin and sbin folders); undefined when nowhere. */
export function findOnPath(binary: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
  for (const d of dirs) {
    const file = path.join(d, binary);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function onPath(binary: string): boolean {
  return findOnPath(binary) !== undefined;
}

/** Programs a container runs: its command, and what the generated supervisor names (`supervise NAME /path`). */
function programsOf(stack: DrillStack | undefined): string[] {
  const missing: string[] = [];
  for (const c of stack?.containers ?? []) {
    const uploaded = new Set(c.uploads.map((u) => u.file));
    const programs = c.command ? [c.command[0] as string] : [];
    for (const u of c.uploads) {
      for (const m of u.content.matchAll(/^supervise \S+ (\/\S+)/gm)) programs.push(m[1] as string);
    }
    for (const p of programs)
      if (!uploaded.has(p) && !fs.existsSync(p) && !missing.includes(p)) missing.push(p);
  }
  return missing;
}

/**
 * Throws a DrillError unless this machine can run drills: Linux, root, the tools and the
 * programs the stack's containers run (from the Debian packages their images install).
 */
export function preflight(stack?: DrillStack): void {
  if (process.platform !== "linux") {
    throw new DrillError(`drills need Linux network namespaces; this is ${process.platform}`);
  }
  if (process.getuid?.() !== 0) {
    throw new DrillError("drills create network namespaces and must run as root (try sudo)");
  }
  const missing = TOOLS.filter((t) => !onPath(t));
  for (const f of ["/bin/sh", "/usr/bin/python3"]) if (!fs.existsSync(f)) missing.push(f);
  for (const p of programsOf(stack)) if (!missing.includes(p)) missing.push(p);
  if (missing.length) {
    throw new DrillError(
      `missing on this machine: ${missing.join(", ")} (install the Debian packages the stack's images use, e.g. keepalived haproxy curl iproute2 nftables python3 util-linux)`,
    );
  }
}
