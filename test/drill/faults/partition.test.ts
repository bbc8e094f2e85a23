import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { partition, partitionRuleset } from "../../../lib/drill/faults/partition";
import { answeredAfter, labAvailable, outcomes, probe, probesAfter, tinyLab } from "../lab-fixture";

describe("partitionRuleset", () => {
  test("drops the protocols and the peers' traffic on every interface, both ways", () => {
    // GIVEN a host with eth0 and eth1, one peer and VRRP
    // WHEN the ruleset is made
    const rules = partitionRuleset(["eth0", "eth1"], { peers: ["198.18.0.6"], protocols: [112] });

    // THEN each interface drops protocol 112 and the peer, in and out
    for (const i of ["eth0", "eth1"]) {
      expect(rules).toContain(`iifname "${i}" ip protocol 112 drop`);
      expect(rules).toContain(`iifname "${i}" ip saddr 198.18.0.6 drop`);
      expect(rules).toContain(`oifname "${i}" ip protocol 112 drop`);
      expect(rules).toContain(`oifname "${i}" ip daddr 198.18.0.6 drop`);
    }
  });
});

describe.runIf(labAvailable())("partition", () => {
  let lab: NamespaceLab | undefined;
  const clients: DrillClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
    await lab?.teardown();
  });

  test("cuts a host off from its peers only; healing restores them", async () => {
    // GIVEN the tiny stack, alpha and beta both served to the client on front
    lab = await tinyLab();
    const toAlpha = await probe(lab, "198.18.10.2");
    const toBeta = await probe(lab, "198.18.10.3");
    clients.push(toAlpha, toBeta);
    expect(outcomes(await probesAfter(toAlpha, 0, 5))).toEqual({ ok: 5 });

    // WHEN alpha is partitioned from the client's address
    const fault = await partition(lab, "alpha", { peers: [lab.clientOn("front").address] });
    const cut = await probesAfter(toAlpha, fault.atMs + 50, 5);
    const other = await probesAfter(toBeta, fault.atMs + 50, 5);

    // THEN requests to alpha time out (dropped, not refused) while beta still answers
    expect(outcomes(cut)).toEqual({ timeout: 5 });
    expect(outcomes(other)).toEqual({ ok: 5 });

    // WHEN it is healed
    await fault.heal();

    // THEN alpha answers again
    expect(await answeredAfter(toAlpha, nowMs())).toBe(true);
  });
});
