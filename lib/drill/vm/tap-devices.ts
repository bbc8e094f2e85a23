/**
 * The host ends of a VM's network devices: qemu makes each tap device in the host's namespace
 * when it starts; this moves it into the namespace the caller named (so the VM joins a
 * namespace lab), gives it the host-side address or puts it on a bridge if asked, and brings it
 * up. The tap device goes away with qemu's process.
 */
import { existsSync } from "node:fs";
import { mustHostCommand } from "../engine/host-commands";
import type { VmNic } from "./qemu-command";
import { VmError } from "./vm-error";

/** A guest device's host end, as the caller asked for it. */
export interface TapPlacement extends VmNic {
  /** Address with prefix for the host end, e.g. `198.18.9.1/24`. */
  readonly hostAddress?: string;
  /** A bridge in the same namespace the host end joins (a lab segment's). */
  readonly bridge?: string;
}

/** Waits until qemu (still `alive`) made `tap`, at most `timeoutMs`. */
async function waitForTap(tap: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(`/sys/class/net/${tap}`)) {
    if (!alive()) throw new VmError(`qemu ended before it made tap device ${tap}`);
    if (Date.now() >= deadline) throw new VmError(`qemu made no tap device ${tap} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Places every tap device of `nics` where it was asked for and brings it up. */
export async function placeTaps(nics: readonly TapPlacement[], alive: () => boolean): Promise<void> {
  for (const nic of nics) {
    await waitForTap(nic.tap, 15_000, alive);
    const where = nic.namespace ? ["-n", nic.namespace] : [];
    if (nic.namespace) mustHostCommand("ip", ["link", "set", nic.tap, "netns", nic.namespace]);
    if (nic.hostAddress) mustHostCommand("ip", [...where, "addr", "add", nic.hostAddress, "dev", nic.tap]);
    if (nic.bridge) mustHostCommand("ip", [...where, "link", "set", nic.tap, "master", nic.bridge]);
    mustHostCommand("ip", [...where, "link", "set", nic.tap, "up"]);
  }
}
