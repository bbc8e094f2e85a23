import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs, ProcessRegistry } from "../../../lib/drill/core/proc";
import { BLACKHOLE_TABLE, blackhole } from "../../../lib/drill/faults/blackhole";
import { answeredAfter, labAvailable, outcomes, probe, probesAfter, tinyLab } from "../lab-fixture";

describe.runIf(labAvailable())("blackhole", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
  });

  /** arping's exit status for beta's address from the client place: 1 answered, 0 not (DAD). */
  async function arpProbe(l: NamespaceLab): Promise<number | null> {
    const child = l.spawn(
      l.clientOn("front").place,
      ["arping", "-D", "-q", "-c", "2", "-w", "1", "-I", "eth0", "198.18.10.3"],
      "arp probe",
    );
    expect(await ProcessRegistry.waitExit(child, 10_000)).toBe(true);
    return child.exitCode;
  }

  test("drops everything in and out of a host silently, ARP too, loopback excepted; healing lifts it", async () => {
    // GIVEN the tiny stack, beta served to a client
    lab = await tinyLab();
    client = await probe(lab, "198.18.10.3");
    expect(outcomes(await probesAfter(client, 0, 5))).toEqual({ ok: 5 });
    expect(await arpProbe(lab)).toBe(1);

    // WHEN beta is blackholed
    const fault = await blackhole(lab, "beta");
    const during = await probesAfter(client, fault.atMs + 50, 5);
    const own = await lab.exec("beta", ["/usr/bin/python3", "-c", LOOPBACK_GET], { allowFailure: true });

    // THEN every request times out, none is refused, no ARP probe for its address is answered
    // (a peer taking an address over must hear nothing), and beta still answers itself on loopback
    expect(outcomes(during)).toEqual({ timeout: 5 });
    expect(await arpProbe(lab)).toBe(0);
    expect(own.stdout.trim()).toBe("beta");

    // WHEN it is healed
    await fault.heal();

    // THEN both of its tables are gone (one transaction), and the client is answered again, ARP included
    const tables = await lab.exec("beta", ["nft", "list", "tables"], { allowFailure: true });
    expect(tables.code).toBe(0);
    expect(tables.stdout).not.toContain(BLACKHOLE_TABLE);
    expect(await answeredAfter(client, nowMs())).toBe(true);
    expect(await arpProbe(lab)).toBe(1);
  });
});

const LOOPBACK_GET =
  "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8080/', timeout=2).read().decode())";
