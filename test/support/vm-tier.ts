/**
 * Gating of the VM tier: the binaries the guest runs (it uses this machine's own install) and a
 * Debian kernel to boot. Under CI=true a missing kernel fails the run, as a missing binary does.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findGuestKernel } from "../../lib/drill/vm/guest-kernel";
import { tierAvailable } from "./tiers";

/** What booting a VM needs on this machine, whatever the guest runs. */
const VM_BINARIES = ["qemu-system-x86_64", "setpriv", "busybox", "python3", "xz", "ip"];

function kernelInstalled(tier: string): boolean {
  try {
    findGuestKernel();
    return true;
  } catch (e) {
    if (process.env.CI === "true") throw e;
    console.warn(`SKIPPED tier "${tier}": ${(e as Error).message}`);
    return false;
  }
}

/** Whether a VM tier can run: root, qemu and the rest, `binaries` for the guest, and a kernel. */
export function vmTierAvailable(tier: string, binaries: readonly string[]): boolean {
  return tierAvailable(tier, [...VM_BINARIES, ...binaries], true) && kernelInstalled(tier);
}

/**
 * Runs `fn` while no other VM-tier test of this machine runs its own: two emulated guests on a
 * small machine slow each other past the bounds their drills wait. The slot is a directory made
 * atomically under the temp folder; one whose holder died is taken over.
 */
export async function withVmSlot<T>(fn: () => Promise<T>, waitMs = 15 * 60_000): Promise<T> {
  const dir = join(tmpdir(), "ha-vm-test-slot");
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(join(dir, "pid"), "utf8"));
      } catch {
        // being made right now
      }
      if (holder > 0 && !alive(holder)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no VM slot within ${waitMs} ms (held by ${holder})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
