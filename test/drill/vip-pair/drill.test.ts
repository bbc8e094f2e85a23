/**
 * Tier 4, drills: the VIP pair example (vip-pair-docker-drill) run for real in network
 * namespaces through the `ha-drill` command, one scenario per test. The assertions are bounds
 * that catch regressions, looser than the goals; the measured figures are printed.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { formatRuns, formatSummaries } from "../../../lib/drill/core/report";
import type { DrillRunResult } from "../../../lib/drill/core/run-result";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { StackReport } from "../../../lib/drill/core/stack-report";
import { VIP_PAIR_DRILL } from "../../../lib/drill/vip-pair/drill";
import type { VipOutcome } from "../../../lib/drill/vip-pair/outcome";
import { tierAvailable } from "../../support/tiers";
import { copyOf, type SynthesizedExample, synthesizeDrillExample } from "../fixture";
import { DrillHarness, explain } from "../harness";

const available = tierAvailable(
  "drills",
  ["keepalived", "haproxy", "curl", "ip", "nft", "unshare", "nsenter", "setpriv", "python3"],
  true,
);

/** The VIP pair's part of a run's details. */
const vip = (r: DrillRunResult) => r.details as unknown as VipOutcome;

describe("the VIP pair drill recognizes its topology", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample();
  });
  afterAll(() => example?.remove());

  test("finds the pair by its keepalived and HAProxy files and offers its five scenarios", () => {
    // GIVEN the synthesized vip-pair-docker-drill stack
    const stack = parseDockerStack(example.document, "vip-pair-docker-drill");

    // WHEN the VIP pair drill looks at it
    const targets = VIP_PAIR_DRILL.recognize(stack, StackReport.none());

    // THEN it finds one pair serving 198.18.0.10:80, keeping the VIP free of clients
    expect(targets.map((t) => t.name)).toEqual(["198.18.0.10:80"]);
    expect(targets[0]?.scenarios.map((s) => s.name)).toEqual([
      "node-loss",
      "proxy-death",
      "backend-death",
      "master-restart",
      "partition",
    ]);
    expect(targets[0]?.labOptions.reservedAddresses).toEqual(["198.18.0.10"]);
  });

  test("with the analysis report, finds the pair only where a VRRP load-balancer group holds it", () => {
    // GIVEN the stack, its ha-report.json, and a report whose groups say nothing of VRRP
    const stack = parseDockerStack(example.document, "vip-pair-docker-drill");
    const report = StackReport.besideStack(example.stackFile);
    const other = new StackReport({
      redundancyGroups: report.groups.map((g) => ({ ...g, mechanism: "dns health checks" })),
    });

    // WHEN the VIP pair drill looks at the stack with each
    // THEN the real report confirms the pair; the other makes keepalived alone not enough
    expect(report.groups.length).toBeGreaterThan(0);
    expect(VIP_PAIR_DRILL.recognize(stack, report).map((t) => t.name)).toEqual(["198.18.0.10:80"]);
    expect(VIP_PAIR_DRILL.recognize(stack, other)).toEqual([]);
  });

  test("finds nothing in a stack without keepalived", () => {
    // GIVEN the stack with every keepalived.conf removed
    const doc = copyOf(example.document) as {
      resource: { docker_container: Record<string, { upload?: { file: string }[] }> };
    };
    for (const c of Object.values(doc.resource.docker_container)) {
      c.upload = c.upload?.filter((u) => u.file !== "/etc/keepalived/keepalived.conf");
    }

    // WHEN the VIP pair drill looks at it
    // THEN it finds no pair (and does not throw: another topology's drill may know the stack)
    expect(VIP_PAIR_DRILL.recognize(parseDockerStack(doc), StackReport.none())).toEqual([]);
  });
});

// One retry per test: each runs its scenario afresh, and a drill's timing holds its daemons to
// predictions within 0.25 s + 25 %; on this 2-core machine, beside an emulated guest, one CI run
// saw PowerDNS declare members down after 2.0 s against a predicted 1 s (0.34 s when quiet). A
// prediction that is wrong misses twice.
describe.runIf(available)("VIP pair drills (vip-pair-docker-drill, through ha-drill)", { retry: 1 }, () => {
  let example: SynthesizedExample;
  const harness = new DrillHarness();
  let namespacesBefore: string[] = [];

  beforeAll(() => {
    example = synthesizeDrillExample();
    namespacesBefore = harness.namespaces();
  });

  afterEach(() => harness.stopAll());

  afterAll(() => {
    example?.remove();
    if (harness.summaries.length) {
      console.log(
        `\nha-drill on vip-pair-docker-drill\n\n${formatRuns(harness.allRuns)}\n\n${formatSummaries(harness.summaries)}\n`,
      );
    }
    // THEN (for the whole file) nothing is left behind: no namespace, no process.
    expect(harness.namespaces().filter((n) => !namespacesBefore.includes(n))).toEqual([]);
    expect(harness.processes()).toEqual([]);
  });

  const drill = (scenario: string, runs: number, onStderr?: (line: string, child: ChildProcess) => void) =>
    harness.run(example.stackFile, scenario, runs, onStderr);

  test("node-loss: the backup answers within 0.6 s (median), no duplicate VIP", async () => {
    // GIVEN the pair serving through edge-lb-0
    // WHEN edge-lb-0 loses its link and every process, 3 times
    const out = await drill("node-loss", 3);

    // THEN every run moved the VIP to edge-lb-1, and clients saw the outage, then answers
    expect(out.code, explain(out)).toBe(0);
    expect(out.runs).toHaveLength(3);
    for (const r of out.runs) {
      expect(vip(r).masterAfter).toBe("edge-lb-1");
      expect(r.requests.failed).toBeGreaterThan(0);
      expect(r.requests.answeredBy["edge-lb-1"]).toBeGreaterThan(0);
      expect(vip(r).duplicateVip.detected).toBe(false);
    }
    // AND the median failover is under 0.6 s (predicted at most 0.411 s: master-down 0.361 s and
    // the 50 ms ARP probe; the goal is 0.5 s)
    expect(out.summary.predictedSeconds).toBe(0.411);
    expect(out.summary.measuredSeconds.median).toBeLessThan(0.6);
    expect(out.summary.longestGapSeconds.max).toBeLessThan(1.5);
  }, 150_000);

  test("proxy-death: the supervisor's down file moves the VIP within 0.5 s of HAProxy's death", async () => {
    // GIVEN the pair serving through edge-lb-0
    // WHEN HAProxy on edge-lb-0 is killed and held down, twice
    const out = await drill("proxy-death", 2);

    // THEN the VIP moved to edge-lb-1 and edge-lb-0 let it go (no duplicate)
    expect(out.code, explain(out)).toBe(0);
    for (const r of out.runs) {
      expect(vip(r).masterAfter).toBe("edge-lb-1");
      expect(vip(r).duplicateVip.longestSeconds).toBeLessThanOrEqual(0.2);
      // AND few requests failed (the goal is under 10), and HAProxy stayed down
      expect(r.requests.failed).toBeGreaterThan(0);
      expect(r.requests.failed).toBeLessThan(30);
      expect(r.details.haproxyRestarted).toBe(false);
    }
    // AND the median failover is under 0.5 s (predicted 0.111 s, skew and ARP probe; the goal is 0.3 s)
    expect(out.summary.predictedSeconds).toBe(0.111);
    expect(out.summary.measuredSeconds.median).toBeLessThan(0.5);
  }, 150_000);

  test("backend-death: no client request fails when one backend's server dies", async () => {
    // GIVEN the pair serving from web-0, web-1 and web-2
    // WHEN web-0's server process is killed and held down, twice
    const out = await drill("backend-death", 2);

    // THEN not one request failed, the VIP stayed, and web-0 left the rotation
    expect(out.code, explain(out)).toBe(0);
    for (const r of out.runs) {
      expect(r.requests.failed, JSON.stringify(r.requests)).toBe(0);
      expect(r.requests.sent).toBeGreaterThan(100);
      expect(vip(r).masterAfter).toBe("edge-lb-0");
      expect(r.details.servedByVictimAfter3s).toBe(0);
    }
    expect(out.summary.predictedSeconds).toBe(0);
  }, 150_000);

  test("master-restart: the old master takes the VIP back after preempt_delay, no duplicate VIP", async () => {
    // GIVEN the pair serving through edge-lb-0 (preempt_delay 10 s)
    // WHEN edge-lb-0 is lost, then restarts, twice
    const out = await drill("master-restart", 2);

    // THEN the VIP came back to edge-lb-0 no sooner than preempt_delay, within 10 s more
    expect(out.code, explain(out)).toBe(0);
    for (const r of out.runs) {
      expect(vip(r).masterAfter).toBe("edge-lb-0");
      const back = r.details.vipBackAfterRestartSeconds as number;
      expect(back).toBeGreaterThanOrEqual(10);
      expect(back).toBeLessThan(20);
      // AND at most a handover's overlap (one advert interval) with the VIP on both nodes
      const dup = r.details.duplicateVipAfterRestart as { longestSeconds: number };
      expect(dup.longestSeconds).toBeLessThanOrEqual(0.2);
      expect(r.checks.find((c) => c.name === "single-holder-at-end")?.passed).toBe(true);
    }
  }, 180_000);

  test("partition: the ARP probe keeps the VIP and the clients on the master; the cut-off node only thinks it is MASTER", async () => {
    // GIVEN the pair serving through edge-lb-0, with the ARP probe guard (the default)
    // WHEN edge-lb-1 stops hearing VRRP and its peer for the cut, twice
    const out = await drill("partition", 2);

    // THEN no split brain: edge-lb-1 became MASTER but never added the VIP
    expect(out.code, explain(out)).toBe(0);
    for (const r of out.runs) {
      expect(r.details.splitBrain).toBe(false);
      expect(vip(r).duplicateVip.detected).toBe(false);
      expect(r.details.stateFilesDuringPartition).toEqual({ "edge-lb-0": "MASTER", "edge-lb-1": "MASTER" });
      // AND only edge-lb-0 answered the clients during the cut, and none of their requests failed
      expect(r.details.servedByDuringPartition).toEqual(["edge-lb-0"]);
      expect((r.details.requestsDuringPartition as { failed: number }).failed).toBe(0);
      // AND after the heal edge-lb-0 still holds the VIP and clients are served
      expect(r.details.singleHolderAfterHealSeconds).not.toBeNull();
      expect(r.details.clientRestoredAfterHealSeconds).not.toBeNull();
      expect(vip(r).masterAfter).toBe("edge-lb-0");
    }
  }, 150_000);

  test("SIGTERM during a drill tears down every namespace and process it made", async () => {
    // GIVEN a drill that has brought the stack up and started its client
    const before = harness.namespaces();
    let signalled = false;
    const out = await drill("node-loss", 1, (line, child) => {
      if (!signalled && line.includes("waiting until every backend answers")) {
        signalled = true;
        // WHEN it receives SIGTERM
        setTimeout(() => {
          if (child.pid !== undefined) harness.recordDescendants(child.pid);
          child.kill("SIGTERM");
        }, 300);
      }
    });

    // THEN it exits with 143 after removing its namespaces and processes
    expect(signalled).toBe(true);
    expect(out.code, out.stderr).toBe(143);
    expect(out.stderr).toContain("SIGTERM: tearing down the lab");
    expect(harness.namespaces().filter((n) => !before.includes(n))).toEqual([]);
    expect(harness.processes()).toEqual([]);
  }, 60_000);
});
