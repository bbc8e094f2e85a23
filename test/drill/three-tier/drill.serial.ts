/**
 * VM tier, the three tiers' drills: `ha-drill --vm-hosts` runs every scenario of the three-tier
 * drill example (2 BIRD routers with the clients' VRRP gateway, 2 IPVS L4 nodes, 2 HAProxy L7
 * nodes, 3 backends) with the L4 and L7 nodes in a VM whose kernel has IPVS and ipip, joined by
 * tap devices to the lab here, where the routers, backends and clients run on this machine's CPU.
 * 24 kept-alive connections and a stream of new ones go through the gateway to the service
 * address; each run says which connections its fault broke. The L4 and L7 nodes' timings come
 * from an emulated CPU: bounds that depend on them are loose, and the figures are printed beside
 * the analysis' predictions (BFD's sub-second withdrawal is also timed on a real CPU in
 * test/daemon/bgp-ecmp.test.ts). One scenario also runs with the whole lab in a VM (`--vm`).
 */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectionFates } from "../../../lib/drill/clients/connection-fates";
import type { DrillRunResult } from "../../../lib/drill/core/run-result";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { vmTierAvailable, withVmSlot } from "../../support/vm-tier";
import { runHaDrill, type SynthesizedExample, synthesizeDrillExample } from "../fixture";

const TIER = "vm: three-tier drills";
const available = vmTierAvailable(TIER, [
  "nft",
  "bird",
  "birdc",
  "keepalived",
  "ipvsadm",
  "haproxy",
  "arping",
  "ping",
]);

type Run = DrillRunResult & { emulatedCpu?: boolean };

/** The hosts the split lab runs in the VM: the L4 nodes (IPVS) and the L7 nodes (ipip). */
const VM_HOSTS = ["edge-l4-0", "edge-l4-1", "edge-l7-0", "edge-l7-1"];

function check(run: Run | undefined, name: string) {
  return run?.checks.find((c) => c.name === name);
}

type Fates = ConnectionFates;

/** The address the example's stack gives the container `hostname`. */
function addressOf(example: SynthesizedExample, hostname: string): string {
  const container = parseDockerStack(example.document).containers.find((c) => c.hostname === hostname);
  if (!container) throw new Error(`the example has no container ${hostname}`);
  return container.address;
}

type SessionDetail = { afterSeconds: number; router: string; session: string; state: string };

/**
 * The longest hold BFD lives through in the example (the construct's default, 3 × 100 ms): the
 * packets before and after a hold can be up to one interval further apart than the hold, so one
 * longer than (3 − 1) × 100 ms can expire a session, depending on where in an interval it falls.
 */
const BFD_TOLERATED_MS = 200;

/**
 * The BFD sessions the routers lost from the fault on (their logs) while something held the
 * daemons' timers past what BFD tolerates: the guest's CPU, this machine's (the routers'), or
 * the way into the VM (its hosts' echoes answered that late). Each loss counts when it fell
 * within such a hold or the second after it; a loss with no hold beside it is not listed.
 */
function lossesToHolds(run: Run | undefined): string[] {
  const where: [string, Run["emulatedCpuStalls"]][] = [
    ["the guest's CPU", run?.emulatedCpuStalls],
    ["this machine's CPU", run?.hostCpuStalls],
    ["the way into the VM", run?.emulatedPathStalls],
  ];
  const holds = where.flatMap(([name, summary]) =>
    (summary?.stalls ?? [])
      .filter((x) => x.ms > BFD_TOLERATED_MS)
      .map((x) => ({ name, from: x.startSeconds, to: x.startSeconds + x.ms / 1000, ms: x.ms })),
  );
  const lost = ((run?.details.sessionChanges ?? []) as SessionDetail[]).filter(
    (c) =>
      c.session.startsWith("bfd ") && (c.state === "expired" || c.state === "Down") && c.afterSeconds >= 0,
  );
  return lost.flatMap((c) => {
    const h = holds.find((x) => x.from - 0.2 <= c.afterSeconds && c.afterSeconds <= x.to + 1);
    return h
      ? [`${c.router} lost ${c.session} at +${c.afterSeconds} s, ${h.name} held ${h.ms} ms from +${h.from} s`]
      : [];
  });
}

/** Prints what the routers saw after a fault whose run failed a check: routes, sessions, failures. */
function traceOnFailure(run: Run | undefined): void {
  if (!run || run.passed) return;
  const d = run.details;
  console.warn(
    `${TIER}: ${run.scenario} failed a check; around the fault: route changes ${JSON.stringify(d.routeChanges ?? "not listed")}, ` +
      `session changes ${JSON.stringify(d.sessionChanges ?? "not listed")}, new connections failed per second ${JSON.stringify(d.failedBySecond ?? "not listed")}, ` +
      `broken connections ${JSON.stringify((d.connections as Fates | undefined)?.brokenTimes ?? "not listed")}, ` +
      `holds of the way in ${JSON.stringify(run.emulatedPathStalls ?? "not measured")}`,
  );
}

/**
 * Runs `ha-drill --vm-hosts` (or `--vm` with `whole`) on `stackFile` with `args`, holding the VM
 * slot; its run lines and stderr.
 */
async function drillInVm(
  stackFile: string,
  args: readonly string[],
  whole = false,
): Promise<{ runs: Run[]; stderr: string }> {
  return withVmSlot(async () => {
    const result = await runHaDrill([
      stackFile,
      whole ? "--vm" : "--vm-hosts",
      "--runs",
      "1",
      "--json",
      ...args,
    ]);
    // 0: every check passed, 1: some failed (asserted below one by one); 2 would be "could not run".
    const said = result.stderr
      .split("\n")
      .filter((l) => l.startsWith("ha-drill:"))
      .join("\n");
    expect([0, 1], `${said}\n--- last of stderr:\n${result.stderr.slice(-3000)}`).toContain(result.code);
    const runs = result.lines.map((l) => JSON.parse(l) as Run).filter((o) => o.type === "run");
    for (const r of runs) {
      console.log(
        `${TIER} (${r.emulatedCpu ? "whole lab" : (r.emulatedCpuHosts ?? []).join(", ")} on an emulated CPU): ${r.scenario}: ${r.measure} ${r.measuredSeconds} s (predicted ${r.predictedSeconds ?? "-"} s); ` +
          `${r.highlights.join("; ")}; new connections failed ${r.requests.failed} of ${r.requests.sent}; ` +
          `guest stalls ${JSON.stringify(r.emulatedCpuStalls ?? "not measured")}, here ${JSON.stringify(r.hostCpuStalls ?? "not measured")}, ` +
          `the way in ${JSON.stringify(r.emulatedPathStalls ?? "not measured")}; ` +
          r.checks.map((c) => `${c.name} ${c.passed ? "ok" : "FAILED"}: ${c.detail}`).join(" | "),
      );
    }
    return { runs, stderr: result.stderr };
  });
}

// A test that fails is tried once more (as the namespace drills' are) on a fresh run of its own
// scenario in a fresh VM: the guest's emulated CPU takes what the machine has left, and a CI run
// beside the rest of the suite saw an L4 node's return stall every flow for 4 s. A wrong design
// fails twice.
describe.skipIf(!available)(TIER, { retry: 1 }, () => {
  let example: SynthesizedExample;
  const runs = new Map<string, Run>();
  let stderr = "";
  const tries = new Map<string, number>();

  /** The run of `scenario`: the whole drill's on a test's first try, a fresh one of its own on a retry. */
  async function runOf(scenario: string): Promise<Run | undefined> {
    const n = (tries.get(scenario) ?? 0) + 1;
    tries.set(scenario, n);
    if (n === 1) return runs.get(scenario);
    const again = await drillInVm(example.stackFile, ["--scenario", scenario]);
    return again.runs.find((r) => r.scenario === scenario);
  }

  beforeAll(async () => {
    example = synthesizeDrillExample("three-tier-docker-drill");
    const all = await drillInVm(example.stackFile, []);
    stderr = all.stderr;
    for (const r of all.runs) runs.set(r.scenario, r);
  }, 1_800_000);
  afterAll(() => example?.remove());

  test("ran every scenario with the L4 and L7 nodes in the VM, each run naming them as emulated", () => {
    expect(stderr).not.toContain("its timings come from an emulated CPU");
    expect([...runs.keys()].sort()).toEqual([
      "l4-node-blackhole",
      "l4-node-drain",
      "l4-node-return",
      "l7-node-loss",
      "router-loss",
    ]);
    for (const r of runs.values()) {
      expect(r.emulatedCpuHosts).toEqual(VM_HOSTS);
      expect(r.emulatedCpu).toBeUndefined();
    }
  });

  test("a silent L4 node leaves every router's route, and every established connection survives it", {
    timeout: 600_000,
  }, async () => {
    const run = await runOf("l4-node-blackhole");
    const fates = run?.details.connections as Fates;
    // The headline: the flows ECMP moved met the same Maglev table and reached the same L7 node.
    // A flow sent to another L7 node would be reset by it; none may be, none answered by another
    // node, and none broken. One its own L7 node closed after hearing nothing on it for its 10 s
    // keep-alive (a guest starved by the rest of the suite) counts apart, and most must survive.
    expect(fates.established).toBeGreaterThanOrEqual(16);
    expect(fates.changedNode).toBe(0);
    expect(fates.broken, JSON.stringify(fates)).toBe(0);
    expect(fates.survived).toBe(fates.established - fates.idledOut);
    expect(fates.survived).toBeGreaterThanOrEqual(fates.established / 2);
    if (fates.idledOut > 0) {
      console.warn(
        `${TIER}: ${fates.idledOut} connections closed by their own L7 node's idle timeout (emulated CPU)`,
      );
    }
    // 0.19-0.26 s here after the command returned (BFD 3 x 100 ms), since the gate looks without
    // starting processes; the bound leaves room for a busy machine.
    expect(run?.details.withdrawnSeconds).toBeLessThan(2);
    expect(check(run, "new-connections-served")?.passed).toBe(true);
    // Every router logged the silent node's BFD session expiring (BIRD's log, read by the drill).
    const node = addressOf(example, "edge-l4-0");
    const sessions = (run?.details.sessionChanges ?? []) as SessionDetail[];
    const expired = sessions.filter((c) => c.session === `bfd ${node}` && c.state === "expired");
    const routers = new Set(expired.map((c) => c.router));
    // Printed as well: a retry that passes hides the first try's assertion.
    if (routers.size !== 2)
      console.warn(`${TIER}: l4-node-blackhole: session changes ${JSON.stringify(sessions)}`);
    expect(routers, JSON.stringify(sessions)).toEqual(new Set(["edge-router-0", "edge-router-1"]));
  });

  test("a drained L4 node is withdrawn with no connection broken and no request failed", {
    timeout: 600_000,
  }, async () => {
    const run = await runOf("l4-node-drain");
    traceOnFailure(run);
    expect(check(run, "routes-withdrawn")?.passed).toBe(true);
    expect(
      check(run, "established-connections-survive")?.passed,
      check(run, "established-connections-survive")?.detail,
    ).toBe(true);
    // A request begun before the drain that failed before any router dropped the node is not
    // the drain's (the node forwarded as before): CI saw 8 fail within 45 ms of the drain, begun
    // before it, while the way into the VM held packets. The check's detail counts it apart.
    const served = check(run, "no-request-failed");
    expect(served?.passed, served?.detail).toBe(true);
  });

  test("a returning L4 node is taken back, and no flow it takes back reaches another L7 node", {
    timeout: 600_000,
  }, async () => {
    const run = await runOf("l4-node-return");
    traceOnFailure(run);
    expect(check(run, "routes-back")?.passed).toBe(true);
    // It announces again only once its own checks pass, and its Maglev table is the other L4
    // node's: no new connection is refused or reset, and no kept connection is reset or answered
    // by another L7 node (what a flow moved to a node with another table meets). Always asserted.
    const fates = run?.details.connections as Fates;
    expect(fates.brokenBy.reset ?? 0, check(run, "established-connections-survive")?.detail).toBe(0);
    expect(fates.changedNode, check(run, "established-connections-survive")?.detail).toBe(0);
    expect(fates.established).toBeGreaterThan(0);
    const failed = run?.requests.failed ?? -1;
    const timeouts = run?.requests.errors.timeout ?? 0;
    expect(failed - timeouts, check(run, "no-request-failed")?.detail).toBe(0);
    // That every connection lives and no request times out is asserted unless a router lost a
    // BFD session while something held the daemons' timers past what BFD tolerates. While the
    // gates started four processes every 200 ms the busy guest held its packets for 0.3-0.9 s now
    // and then (every guest address's echoes came back together): BFD then expired on both routers
    // for the L4 node that never left as well, no L4 node announced until BGP was back, and flows
    // timed out meanwhile (traced by the routers' logs); none since in 8 runs, but a busy machine
    // can still stall the guest. On a real CPU a return disturbs no session
    // (test/daemon/bgp-ecmp.test.ts). Such a run is printed with the losses and holds, not
    // asserted; a hold that cost no session excuses nothing. A request begun before the return
    // that failed before any route took the node again is the cut's, not the return's (the
    // check's detail counts it apart).
    expect(run?.emulatedPathStalls?.answers, "the way into the VM was timed").toBeGreaterThan(0);
    const held = lossesToHolds(run);
    const survived = check(run, "established-connections-survive");
    const served = check(run, "no-request-failed");
    if (held.length === 0) {
      expect(survived?.passed, survived?.detail).toBe(true);
      expect(served?.passed, served?.detail).toBe(true);
    } else {
      for (const c of [survived, served]) {
        if (c && !c.passed) console.warn(`${TIER}: l4-node-return: ${c.name} failed: ${c.detail}`);
      }
      console.warn(`${TIER}: l4-node-return: survival not asserted: ${held.join("; ")}`);
    }
  });

  test("a lost L7 node ends only its own connections, and new ones are served again", {
    timeout: 600_000,
  }, async () => {
    const run = await runOf("l7-node-loss");
    traceOnFailure(run);
    const fates = run?.details.connections as Fates;
    const lost = run?.details.lostNode as string;
    expect(fates.byNode[lost]?.established).toBeGreaterThan(0);
    expect(
      check(run, "other-l7-connections-survive")?.passed,
      check(run, "other-l7-connections-survive")?.detail,
    ).toBe(true);
    expect(run?.restoredSeconds).not.toBeNull();
    expect(run?.restoredSeconds as number).toBeLessThan(15);
  });

  test("a lost router hands the gateway to the other within seconds, and every established connection survives", {
    timeout: 600_000,
  }, async () => {
    const run = await runOf("router-loss");
    expect(check(run, "gateway-moved")?.passed).toBe(true);
    // The routers run on this machine's CPU: predicted 0.411 s, measured 0.45-0.71 s on a quiet
    // machine; the bound leaves room for a busy one.
    expect(run?.restoredSeconds).not.toBeNull();
    expect(run?.restoredSeconds as number).toBeLessThan(3);
    expect(
      check(run, "established-connections-survive")?.passed,
      check(run, "established-connections-survive")?.detail,
    ).toBe(true);
  });

  // The path of `ha-drill --vm` (the whole drill inside the guest): that it runs there, marks its
  // lines and drains for real. What clients see is asserted above, where routers and clients have
  // a real CPU: with every host emulated, a busy machine starved the service itself (CI here: 2 of
  // 38 new connections failed in one run, 80 of 95 and every kept connection in the next, the
  // node withdrawn after 5-6 s both times), so those figures are printed, not asserted.
  test("with the whole lab in one VM (--vm), the drill runs in the guest and a drained L4 node is withdrawn", {
    timeout: 600_000,
  }, async () => {
    const whole = await drillInVm(example.stackFile, ["--scenario", "l4-node-drain"], true);
    expect(whole.stderr).toContain("its timings come from an emulated CPU");
    const run = whole.runs.find((r) => r.scenario === "l4-node-drain");
    expect(run?.emulatedCpu).toBe(true);
    expect(check(run, "routes-withdrawn")?.passed, check(run, "routes-withdrawn")?.detail).toBe(true);
    expect(run?.requests.sent).toBeGreaterThan(0);
    expect(run?.requests.ok).toBeGreaterThan(0);
  });
});
