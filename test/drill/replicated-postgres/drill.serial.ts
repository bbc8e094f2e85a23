/**
 * Drill tier: `ha-drill` on `replicated-postgres-docker-drill` (synchronous mode), in network
 * namespaces on this machine's etcd, Patroni, PostgreSQL 15, HAProxy and keepalived. The writer
 * commits a numbered row every 50 ms through the routers' read-write port; after each fault the
 * table is read back from the new primary and the acknowledged rows missing are counted.
 */
import { TerraformStack } from "cdktf";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { DockerPlatform, EtcdPlacement, ReplicatedPostgres, ReplicationMode } from "../../../lib";
import { formatRuns, formatSummaries } from "../../../lib/drill/core/report";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { StackReport } from "../../../lib/drill/core/stack-report";
import { REPLICATED_POSTGRES_DRILL } from "../../../lib/drill/replicated-postgres/drill";
import { pythonModulesAvailable, tierAvailable } from "../../support/tiers";
import { withVmSlot } from "../../support/vm-tier";
import { type SynthesizedExample, synthesizeDrillExample, synthesizeStack } from "../fixture";
import { DrillHarness, explain } from "../harness";
import { labAvailable } from "../lab-fixture";

const EXAMPLE = "replicated-postgres-docker-drill";
const TIER = "drills: replicated PostgreSQL";
const available =
  labAvailable() &&
  tierAvailable(
    TIER,
    ["patroni", "etcd", "haproxy", "keepalived", "curl", "setpriv", "/usr/lib/postgresql/15/bin/postgres"],
    true,
  ) &&
  pythonModulesAvailable(TIER, ["psycopg2"]);

describe("the replicated PostgreSQL drill recognizes its topology", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample(EXAMPLE);
  });
  afterAll(() => example?.remove());

  test("finds the nodes, the routers' shared address and ports, the application's role and database", () => {
    const stack = parseDockerStack(example.document, EXAMPLE);
    const targets = REPLICATED_POSTGRES_DRILL.recognize(stack, StackReport.besideStack(example.stackFile));
    expect(targets.map((t) => t.name)).toEqual(["198.18.8.2:5000"]);
    expect(targets[0]?.scenarios.map((s) => s.name)).toEqual([
      "primary-loss",
      "primary-postgres-crash",
      "replica-loss",
      "dcs-member-loss",
      "dcs-leader-and-primary-loss",
      "primary-partition",
      "old-primary-return",
    ]);
    expect(targets[0]?.describe()).toMatchObject({
      address: "198.18.8.2",
      readWritePort: 5000,
      readOnlyPort: 5001,
      database: "app",
      user: "app",
      synchronous: true,
      nodes: [
        { hostname: "orders-pg-0", address: "198.18.8.3" },
        { hostname: "orders-pg-1", address: "198.18.8.4" },
        { hostname: "orders-pg-2", address: "198.18.8.5" },
      ],
      routers: [
        { hostname: "orders-router-0", address: "198.18.8.6" },
        { hostname: "orders-router-1", address: "198.18.8.7" },
      ],
    });
    expect(targets[0]?.labOptions.reservedAddresses).toEqual(["198.18.8.2"]);
  });

  test("finds nothing in a stack of another topology", () => {
    const other = synthesizeDrillExample("dns-pool-docker-drill");
    try {
      const stack = parseDockerStack(other.document, "dns-pool-docker-drill");
      expect(REPLICATED_POSTGRES_DRILL.recognize(stack, StackReport.besideStack(other.stackFile))).toEqual(
        [],
      );
    } finally {
      other.remove();
    }
  });
});

// Each run takes the VM tier's slot: a three-node cluster beside an emulated guest starved it
// past its bounds in CI (BFD sessions flapping in the three tiers' engine VM). One retry per
// test, as the other drill tiers: a CI run's partition took 15.9 s against 15.25 s allowed
// (10.4-14.2 s when quiet). Every failed run is still printed in the summary below.
/**
 * A drill suite's stack and harness: the stack synthesized before the suite, the drills'
 * processes stopped after each test, and at its end the runs printed and no namespace or process
 * of theirs left.
 */
function drillSuite(name: string, synthesize: () => SynthesizedExample) {
  let stack: SynthesizedExample | undefined;
  const harness = new DrillHarness();
  let namespacesBefore: string[] = [];
  beforeAll(() => {
    stack = synthesize();
    namespacesBefore = harness.namespaces();
  });
  afterEach(() => harness.stopAll());
  afterAll(() => {
    stack?.remove();
    if (harness.summaries.length) {
      console.log(
        `\nha-drill on ${name}\n\n${formatRuns(harness.allRuns)}\n\n${formatSummaries(harness.summaries)}\n`,
      );
    }
    expect(harness.namespaces().filter((n) => !namespacesBefore.includes(n))).toEqual([]);
    expect(harness.processes()).toEqual([]);
  });
  return { harness, stack: () => stack as SynthesizedExample };
}

describe.runIf(available)(`${TIER} (${EXAMPLE}, through ha-drill)`, { retry: 1 }, () => {
  const suite = drillSuite(EXAMPLE, () => synthesizeDrillExample(EXAMPLE));
  const harness = suite.harness;
  const example = suite.stack;

  test("primary-loss: writes back within the prediction (under 15 s), no acknowledged write lost, one primary", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "primary-loss", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as {
      writesBackSeconds: number;
      lostAcknowledged: number;
      acknowledged: number;
    };
    console.log(
      `${TIER}: primary-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} of ${d.acknowledged} acknowledged writes lost`,
    );
    expect(d.writesBackSeconds).toBeLessThan(15);
    expect(d.lostAcknowledged).toBe(0);
    expect(d.acknowledged).toBeGreaterThan(50);
  }, 1_800_000);

  test("primary-postgres-crash: Patroni starts PostgreSQL again, crash recovery keeps every acknowledged write", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "primary-postgres-crash", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as { writesBackSeconds: number; lostAcknowledged: number };
    console.log(
      `${TIER}: primary-postgres-crash: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);

  test("replica-loss: the synchronous standby lost, writes wait at most until another is named, none lost", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "replica-loss", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as { writesBackSeconds: number; lostAcknowledged: number };
    console.log(
      `${TIER}: replica-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);

  test("dcs-member-loss: an etcd member lost alone, writes go on, none lost", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "dcs-member-loss", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as { writesBackSeconds: number; lostAcknowledged: number };
    console.log(
      `${TIER}: dcs-member-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);

  test("dcs-leader-and-primary-loss: etcd elects a leader and a replica takes the writes, none lost", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "dcs-leader-and-primary-loss", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as { writesBackSeconds: number; lostAcknowledged: number };
    console.log(
      `${TIER}: dcs-leader-and-primary-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);

  test("primary-partition: the cut-off primary demotes before another node takes writes, none lost", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "primary-partition", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as {
      demotedAfterSeconds: number;
      newPrimaryAfterSeconds: number;
      lostAcknowledged: number;
    };
    console.log(
      `${TIER}: primary-partition: the cut-off primary demoted after ${d.demotedAfterSeconds} s, writes on another node after ${d.newPrimaryAfterSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.demotedAfterSeconds).toBeLessThan(d.newPrimaryAfterSeconds);
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);

  test("old-primary-return: the lost primary's host starts again and rejoins as a replica, none lost", async () => {
    const out = await withVmSlot(() => harness.run(example().stackFile, "old-primary-return", 1));
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as { rejoinedSeconds: number; lostAcknowledged: number };
    console.log(
      `${TIER}: old-primary-return: rejoined as a replica after ${d.rejoinedSeconds} s; ${d.lostAcknowledged} lost`,
    );
    expect(d.rejoinedSeconds).toBeGreaterThan(0);
    expect(d.lostAcknowledged).toBe(0);
  }, 1_800_000);
});

/**
 * The other layout and mode: asynchronous replication, etcd on three hosts of its own. A lost
 * primary may lose what its replicas had not received (the report's window); at the writer's
 * pace they had it all in every run here. An etcd member lost is one of the DCS's own hosts.
 */
const VARIANT = "replicated-postgres-async-drill";

function synthesizeVariant(): SynthesizedExample {
  return synthesizeStack(VARIANT, (app) => {
    const stack = new TerraformStack(app, VARIANT);
    const local = new DockerPlatform(stack, "local", { subnet: "198.18.9.0/24" });
    new ReplicatedPostgres(local, "orders", {
      replication: ReplicationMode.asynchronous(),
      etcd: EtcdPlacement.separate({ members: 3 }),
    });
  });
}

describe.runIf(available)(
  `${TIER} (asynchronous, etcd on hosts of its own, through ha-drill)`,
  { retry: 1 },
  () => {
    const suite = drillSuite(VARIANT, synthesizeVariant);
    const harness = suite.harness;
    const variant = suite.stack;

    test("the drill finds three etcd hosts apart from the nodes, and no synchronous standby", () => {
      const stack = parseDockerStack(variant().document, VARIANT);
      const target = REPLICATED_POSTGRES_DRILL.recognize(
        stack,
        StackReport.besideStack(variant().stackFile),
      )[0];
      expect(target?.describe()).toMatchObject({ synchronous: false });
      const etcd = stack.containers.filter((c) => /etcd/.test(c.hostname)).map((c) => c.hostname);
      expect(etcd).toHaveLength(3);
      expect(etcd.some((h) => /pg-/.test(h))).toBe(false);
    });

    test("primary-loss: writes back within the prediction (under 15 s), what it lost acknowledged within the predicted lag", async () => {
      const out = await withVmSlot(() => harness.run(variant().stackFile, "primary-loss", 1));
      expect(out.code, explain(out)).toBe(0);
      const d = out.runs[0]?.details as {
        writesBackSeconds: number;
        lostAcknowledged: number;
        acknowledged: number;
      };
      console.log(
        `${TIER} (asynchronous): primary-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} of ${d.acknowledged} acknowledged writes lost`,
      );
      expect(d.writesBackSeconds).toBeLessThan(15);
      expect(d.acknowledged).toBeGreaterThan(50);
      // Asynchronous: the check is that what was lost was acknowledged within the predicted lag
      // before the fault, not that nothing was.
      const kept = out.runs[0]?.checks.find((c) => c.name === "lost-writes-within-the-lag");
      expect(kept?.passed, kept?.detail).toBe(true);
    }, 1_800_000);

    test("dcs-member-loss: an etcd host of its own lost, writes go on, none lost", async () => {
      const out = await withVmSlot(() => harness.run(variant().stackFile, "dcs-member-loss", 1));
      expect(out.code, explain(out)).toBe(0);
      const d = out.runs[0]?.details as { writesBackSeconds: number; lostAcknowledged: number };
      console.log(
        `${TIER} (etcd apart): dcs-member-loss: writes back after ${d.writesBackSeconds} s; ${d.lostAcknowledged} lost`,
      );
      expect(d.lostAcknowledged).toBe(0);
      expect(d.writesBackSeconds).toBeLessThan(1);
    }, 1_800_000);
  },
);
