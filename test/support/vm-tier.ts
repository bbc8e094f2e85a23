/**
 * Gating of the VM tier: the binaries the guest runs (it uses this machine's own install) and a
 * Debian kernel to boot. Under CI=true a missing kernel fails the run, as a missing binary does.
 */
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
