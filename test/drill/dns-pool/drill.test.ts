/**
 * Tier 4, drills: the DNS pool example (dns-pool-docker-drill: 3 HAProxy members behind
 * www.pool.example.test, 2 PowerDNS servers, 3 demo backends) run for real in network namespaces
 * through `ha-drill`, one scenario per test, and a fail-closed variant for the all-down answer.
 * The bounds catch regressions; the figures are printed beside the analysis' predictions.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { AllUnhealthy, BackendPool, DockerPlatform, HealthCheckedDnsPool } from "../../../lib";
import { formatRuns, formatSummaries } from "../../../lib/drill/core/report";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { StackReport } from "../../../lib/drill/core/stack-report";
import { DNS_POOL_DRILL } from "../../../lib/drill/dns-pool/drill";
import { tierAvailable } from "../../support/tiers";
import { type SynthesizedExample, synthesizeDrillExample } from "../fixture";
import { DrillHarness, explain } from "../harness";

const available = tierAvailable(
  "drills",
  ["haproxy", "pdns_server", "dig", "curl", "ip", "nft", "unshare", "nsenter", "setpriv", "python3"],
  true,
);

const EXAMPLE = "dns-pool-docker-drill";

describe("the DNS pool drill recognizes its topology", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample(EXAMPLE);
  });
  afterAll(() => example?.remove());

  test("finds the name, its two servers and three members in the report, and offers five scenarios", () => {
    // GIVEN the synthesized stack and its ha-report.json
    const stack = parseDockerStack(example.document, EXAMPLE);
    const report = StackReport.besideStack(example.stackFile);

    // WHEN the DNS pool drill looks at them
    const targets = DNS_POOL_DRILL.recognize(stack, report);

    // THEN it finds www.pool.example.test with its servers and members
    expect(targets.map((t) => t.name)).toEqual(["www.pool.example.test"]);
    expect(targets[0]?.scenarios.map((s) => s.name)).toEqual([
      "member-proxy-death",
      "member-return",
      "dns-server-loss",
      "all-members-down",
      "member-blackhole",
    ]);
    expect(targets[0]?.describe()).toMatchObject({
      servers: [
        { hostname: "pool-example-test-dns-1", address: "198.18.1.8" },
        { hostname: "pool-example-test-dns-2", address: "198.18.1.9" },
      ],
      members: [
        { hostname: "www-lb-0", address: "198.18.1.5" },
        { hostname: "www-lb-1", address: "198.18.1.6" },
        { hostname: "www-lb-2", address: "198.18.1.7" },
      ],
      allUnhealthy: { kind: "all" },
    });
  });

  test("finds nothing without a report, and refuses a name whose member is not a container", () => {
    const stack = parseDockerStack(example.document, EXAMPLE);
    expect(DNS_POOL_DRILL.recognize(stack, StackReport.none())).toEqual([]);
    const report = JSON.parse(
      fs.readFileSync(path.join(path.dirname(example.stackFile), "ha-report.json"), "utf8"),
    );
    report.healthCheckedNames[0].members[0].name = "elsewhere";
    expect(() => DNS_POOL_DRILL.recognize(stack, new StackReport(report))).toThrow(
      /elsewhere is not a container/,
    );
  });
});

/** A fail-closed variant of the example, synthesized with its report into a temporary folder. */
function failClosedStack(): { stackFile: string; remove(): void } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-drill-dns-closed-"));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "dns-pool-closed-drill");
  const local = new DockerPlatform(stack, "local", { subnet: "198.18.2.0/24" });
  const web = new BackendPool(local, "web", { replicas: 2 });
  new HealthCheckedDnsPool(local, "www", {
    zone: "closed.example.test",
    backends: web,
    nodeCount: 2,
    allUnhealthy: AllUnhealthy.answerNone(),
  });
  app.synth();
  return {
    stackFile: path.join(outdir, "stacks", "dns-pool-closed-drill", "cdk.tf.json"),
    remove: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

// One retry per test: each runs its scenario afresh, and a drill's timing holds its daemons to
// predictions within 0.25 s + 25 %; on this 2-core machine, beside an emulated guest, one CI run
// saw PowerDNS declare members down after 2.0 s against a predicted 1 s (0.34 s when quiet). A
// prediction that is wrong misses twice.
describe.runIf(available)("DNS pool drills (dns-pool-docker-drill, through ha-drill)", { retry: 1 }, () => {
  let example: SynthesizedExample;
  const harness = new DrillHarness();
  let namespacesBefore: string[] = [];

  beforeAll(() => {
    example = synthesizeDrillExample(EXAMPLE);
    namespacesBefore = harness.namespaces();
  });

  afterEach(() => harness.stopAll());

  afterAll(() => {
    example?.remove();
    if (harness.summaries.length) {
      console.log(
        `\nha-drill on ${EXAMPLE}\n\n${formatRuns(harness.allRuns)}\n\n${formatSummaries(harness.summaries)}\n`,
      );
    }
    // THEN (for the whole file) nothing is left behind: no namespace, no process.
    expect(harness.namespaces().filter((n) => !namespacesBefore.includes(n))).toEqual([]);
    expect(harness.processes()).toEqual([]);
  });

  test("member-proxy-death: the member leaves every server's answers in under 1.5 s, within the prediction", async () => {
    // GIVEN both servers answering with www-lb-0, -1 and -2
    // WHEN HAProxy on www-lb-0 is killed and held down, twice
    const out = await harness.run(example.stackFile, "member-proxy-death", 2);

    // THEN each run saw it leave both servers' answers, and every address still answered serves
    expect(out.code, explain(out)).toBe(0);
    for (const r of out.runs) {
      expect(r.details.removedSeconds as number).toBeLessThan(1.5);
      expect(r.details.answeredAfter).toEqual(["198.18.1.6", "198.18.1.7"]);
      expect(r.details.notServing).toEqual([]);
    }
    // AND the prediction is one checker round (interval 1 s, a refused probe failing at once)
    expect(out.summary.predictedSeconds).toBe(1);
  }, 120_000);

  test("member-return: a member whose proxy starts again is back in every server's answers", async () => {
    const out = await harness.run(example.stackFile, "member-return", 1);
    expect(out.code, explain(out)).toBe(0);
    expect(out.runs[0]?.details.returnedSeconds as number).toBeLessThanOrEqual(2.75);
    expect(out.summary.predictedSeconds).toBe(2);
  }, 120_000);

  test("member-blackhole: a silent member leaves the answers after the probe timeout, within the prediction", async () => {
    const out = await harness.run(example.stackFile, "member-blackhole", 1);
    expect(out.code, explain(out)).toBe(0);
    const removed = out.runs[0]?.details.removedSeconds as number;
    // Later than a refused member (the probe waits its 1 s timeout), within round + timeout = 2 s.
    expect(removed).toBeGreaterThan(0.9);
    expect(removed).toBeLessThanOrEqual(2.75);
    expect(out.summary.predictedSeconds).toBe(2);
  }, 120_000);

  test("dns-server-loss: the other server answers every query, and a resolver with both keeps resolving", async () => {
    const out = await harness.run(example.stackFile, "dns-server-loss", 1);
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as Record<string, number>;
    expect(d.otherServersQueries).toBeGreaterThan(50);
    expect(d.otherServersFailed).toBe(0);
    expect(d.resolverFailed).toBe(0);
    // The resolver waits its 1 s timeout for the dead server, then asks the other.
    expect(d.slowestResolutionSeconds).toBeLessThan(2.5);
  }, 120_000);

  test("all-members-down, failing open: every server declares every member down and still answers with all", async () => {
    const out = await harness.run(example.stackFile, "all-members-down", 1);
    expect(out.code, explain(out)).toBe(0);
    const d = out.runs[0]?.details as {
      everyMemberDeclaredDownSeconds: number;
      lastAnswers: Record<string, unknown>;
    };
    expect(d.everyMemberDeclaredDownSeconds).toBeLessThanOrEqual(1.5);
    for (const a of Object.values(d.lastAnswers)) {
      expect(a).toEqual({ outcome: "ok", answers: ["198.18.1.5", "198.18.1.6", "198.18.1.7"] });
    }
  }, 120_000);

  test("all-members-down, failing closed: every server answers with no address", async () => {
    const closed = failClosedStack();
    try {
      const out = await harness.run(closed.stackFile, "all-members-down", 1);
      expect(out.code, explain(out)).toBe(0);
      const d = out.runs[0]?.details as { answeredSeconds: number; lastAnswers: Record<string, unknown> };
      expect(d.answeredSeconds).toBeLessThanOrEqual(1.5);
      expect(Object.values(d.lastAnswers)).toEqual([
        { outcome: "empty", answers: [] },
        { outcome: "empty", answers: [] },
      ]);
    } finally {
      closed.remove();
    }
  }, 120_000);
});
