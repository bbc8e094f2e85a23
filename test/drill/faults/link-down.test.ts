import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { linkDown } from "../../../lib/drill/faults/link-down";
import { answeredAfter, labAvailable, outcomes, probe, probesAfter, tinyLab } from "../lab-fixture";

describe.runIf(labAvailable())("linkDown", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
  });

  test("takes one interface down with the host still running; healing brings it up", async () => {
    // GIVEN the tiny stack, alpha served to a client on front (its eth0)
    lab = await tinyLab();
    client = await probe(lab, "198.18.10.2");
    expect(outcomes(await probesAfter(client, 0, 5))).toEqual({ ok: 5 });

    // WHEN alpha's eth0 goes down
    const fault = await linkDown(lab, "alpha", "eth0");
    const during = await probesAfter(client, fault.atMs + 50, 5);

    // THEN alpha still runs and keeps eth1, but front's client times out
    expect(lab.isRunning("alpha")).toBe(true);
    expect(outcomes(during)).toEqual({ timeout: 5 });
    const links = await lab.exec("alpha", ["ip", "-o", "link", "show", "up"]);
    expect(links.stdout).toContain("eth1");
    expect(links.stdout).not.toContain("eth0");

    // WHEN it is healed
    await fault.heal();

    // THEN the client is answered again
    expect(await answeredAfter(client, nowMs())).toBe(true);
  });
});
