/**
 * Tap placement without qemu: a persistent tap device stands in for the one qemu makes, and is
 * moved into a namespace, addressed from 198.18.0.0/15 and brought up there. Needs root and ip.
 */
import { afterEach, describe, expect, test } from "vitest";
import { hostCommand, mustHostCommand } from "../../../lib/drill/engine/host-commands";
import { LabNamespace } from "../../../lib/drill/engine/namespaces";
import { placeTaps } from "../../../lib/drill/vm/tap-devices";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { tierAvailable } from "../../support/tiers";

const available = tierAvailable("vm: tap devices", ["ip"], true);
const tap = `havt${process.pid % 100000}`;
let ns: LabNamespace | undefined;

afterEach(() => {
  ns?.delete();
  ns = undefined;
  hostCommand("ip", ["link", "del", tap]);
});

describe.runIf(available)("tap devices", () => {
  test("a tap device is moved into the named namespace, addressed and up", async () => {
    ns = LabNamespace.create();
    mustHostCommand("ip", ["tuntap", "add", "dev", tap, "mode", "tap"]);
    await placeTaps([{ tap, namespace: ns.name, hostAddress: "198.18.9.1/30" }], () => true);
    expect(hostCommand("ip", ["link", "show", tap]).status).not.toBe(0);
    const shown = mustHostCommand("ip", ["-n", ns.name, "-o", "addr", "show", "dev", tap]);
    expect(shown).toContain("inet 198.18.9.1/30");
    expect(mustHostCommand("ip", ["-n", ns.name, "-o", "link", "show", tap])).toMatch(/<[^>]*\bUP\b/);
  });

  test("a tap device joins a bridge of the namespace", async () => {
    ns = LabNamespace.create();
    mustHostCommand("ip", ["-n", ns.name, "link", "add", "br0", "type", "bridge"]);
    mustHostCommand("ip", ["tuntap", "add", "dev", tap, "mode", "tap"]);
    await placeTaps([{ tap, namespace: ns.name, bridge: "br0" }], () => true);
    expect(mustHostCommand("ip", ["-n", ns.name, "-o", "link", "show", tap])).toContain("master br0");
  });

  test("a tap device qemu never made fails at once when qemu is gone", async () => {
    const t0 = Date.now();
    await expect(placeTaps([{ tap }], () => false)).rejects.toThrow(VmError);
    await expect(placeTaps([{ tap }], () => false)).rejects.toThrow(/qemu ended before it made tap device/);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
