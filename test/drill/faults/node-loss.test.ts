import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { loseNode } from "../../../lib/drill/faults/node-loss";
import { answeredAfter, labAvailable, outcomes, probe, probesAfter, tinyLab } from "../lab-fixture";

describe.runIf(labAvailable())("loseNode", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
  });

  test("takes every link of a host down and kills it; healing starts it afresh", async () => {
    // GIVEN the tiny stack, alpha (on two networks) served to a client
    lab = await tinyLab();
    client = await probe(lab, "198.18.10.2");
    expect(outcomes(await probesAfter(client, 0, 5))).toEqual({ ok: 5 });

    // WHEN alpha is lost
    const fault = await loseNode(lab, "alpha");
    const during = await probesAfter(client, fault.atMs + 50, 5);
    const stopped = lab.isRunning("alpha");

    // THEN it is down, its links too, and requests time out (no RST from a dead node)
    expect(stopped).toBe(false);
    expect(outcomes(during)).toEqual({ timeout: 5 });
    expect(fault.description).toBe("node loss of alpha: eth0, eth1 down and every process of it killed");

    // WHEN it is healed
    await fault.heal();
    const healedAt = nowMs();

    // THEN alpha runs again, with both links up, and answers
    expect(lab.isRunning("alpha")).toBe(true);
    expect(await lab.addresses("alpha")).toEqual(["198.18.10.2", "198.18.11.2"]);
    expect(await answeredAfter(client, healedAt)).toBe(true);
  });
});
