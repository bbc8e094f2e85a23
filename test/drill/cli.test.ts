import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseArgs } from "../../lib/drill/cli";
import { type SynthesizedExample, synthesizeDrillExample } from "./fixture";

const BIN = path.resolve(__dirname, "..", "..", "bin", "ha-drill.js");

function haDrill(args: readonly string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("ha-drill command line", () => {
  test("parses scenarios, runs and flags", () => {
    // GIVEN a command line with two scenarios and every flag
    // WHEN it is parsed
    const args = parseArgs([
      "out/cdk.tf.json",
      "--scenario",
      "node-loss",
      "--scenario=partition",
      "--runs",
      "2",
      "--json",
      "--interval-ms",
      "20",
      "--allow-any-addresses",
    ]);

    // THEN each lands where it belongs
    expect(args).toEqual({
      stackFile: "out/cdk.tf.json",
      scenarios: ["node-loss", "partition"],
      runs: 2,
      json: true,
      help: false,
      list: false,
      allowAnyAddresses: true,
      keepLogs: false,
      intervalMs: 20,
    });
  });

  test("`--scenario all` means every scenario, and runs default to 3", () => {
    // GIVEN
    // WHEN
    const args = parseArgs(["x.json", "--scenario", "all"]);

    // THEN
    expect(args.scenarios).toBeUndefined();
    expect(args.runs).toBe(3);
  });

  test.each([
    [["x.json", "--scenario", "meteor"], /--scenario needs one of node-loss, proxy-death/],
    [["x.json", "--runs", "0"], /--runs needs a whole number from 1 to 100/],
    [["x.json", "--runs", "two"], /--runs needs a whole number/],
    [["x.json", "--frobnicate"], /unknown option --frobnicate/],
    [["a.json", "b.json"], /one stack file only/],
  ])("throws for %j", (argv, message) => {
    // GIVEN a bad command line
    // WHEN it is parsed
    // THEN the error says what is wrong
    expect(() => parseArgs(argv)).toThrow(message);
  });

  test("`ha-drill --help` works in the repository before a build", () => {
    // GIVEN the bin script (which runs lib/drill/cli.ts through tsx here)
    // WHEN it is asked for help
    const result = haDrill(["--help"]);

    // THEN it prints the usage and exits 0
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: ha-drill <path to cdk.tf.json>");
    expect(result.stdout).toContain("--scenario <name>|all");
  });

  test("fails with status 2 and a message for a missing stack file", () => {
    // GIVEN a path that does not exist
    // WHEN the drill is started on it
    const result = haDrill(["/nonexistent/cdk.tf.json", "--json"]);

    // THEN nothing runs: status 2, the reason on stderr, nothing on stdout
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("cannot read /nonexistent/cdk.tf.json");
    expect(result.stdout).toBe("");
  });

  describe("on the synthesized drill example", () => {
    let example: SynthesizedExample;
    beforeAll(() => {
      example = synthesizeDrillExample();
    });
    afterAll(() => example?.remove());

    test("`--list` prints the drill plan without running anything", () => {
      // GIVEN the synthesized vip-pair-docker-drill stack
      // WHEN the plan is listed
      const result = haDrill([example.stackFile, "--list"]);

      // THEN it names the VIP, the nodes by priority and the scenarios
      expect(result.status).toBe(0);
      const plan = JSON.parse(result.stdout);
      expect(plan).toMatchObject({
        stack: "vip-pair-docker-drill",
        topology: "vip-pair",
        vip: "198.18.0.10",
        port: 80,
        nodes: [
          { hostname: "edge-lb-0", address: "198.18.0.5", priority: 150 },
          { hostname: "edge-lb-1", address: "198.18.0.6", priority: 100 },
        ],
        backends: ["web-0", "web-1", "web-2"],
        preemptDelaySeconds: 10,
        scenarios: ["node-loss", "proxy-death", "backend-death", "master-restart", "partition"],
      });
    });
  });
});
