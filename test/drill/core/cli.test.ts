import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseArgs } from "../../../lib/drill/core/cli";
import { type SynthesizedExample, synthesizeDrillExample } from "../fixture";

const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "ha-drill.js");

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
      "--vm-hosts",
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
      vm: false,
      vmHosts: true,
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
    [["x.json", "--scenario", "Node Loss"], /--scenario needs a scenario name \(see --list\) or all/],
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

    test("`--list --json` prints the topologies found and their scenarios without running anything", () => {
      // GIVEN the synthesized vip-pair-docker-drill stack
      // WHEN its drills are listed as JSON
      const result = haDrill([example.stackFile, "--list", "--json"]);

      // THEN it names the VIP pair with its VIP, nodes by priority and scenarios
      expect(result.status, result.stderr).toBe(0);
      const listed = JSON.parse(result.stdout);
      expect(listed.stack).toBe("vip-pair-docker-drill");
      expect(listed.scenarios).toEqual([
        "node-loss",
        "proxy-death",
        "backend-death",
        "master-restart",
        "partition",
      ]);
      expect(listed.topologies).toHaveLength(1);
      expect(listed.topologies[0]).toMatchObject({
        topology: "vip-pair",
        name: "198.18.0.10:80",
        vip: "198.18.0.10",
        port: 80,
        nodes: [
          { hostname: "edge-lb-0", address: "198.18.0.5", priority: 150 },
          { hostname: "edge-lb-1", address: "198.18.0.6", priority: 100 },
        ],
        backends: ["web-0", "web-1", "web-2"],
        preemptDelaySeconds: 10,
      });
      // AND each scenario says which prediction of ha-report.json it checks
      expect(
        listed.topologies[0].scenarios.map((s: { name: string; predicts: string | null }) => [
          s.name,
          s.predicts,
        ]),
      ).toEqual([
        ["node-loss", "node-loss"],
        ["proxy-death", "proxy-process-death"],
        ["backend-death", "backend-process-death"],
        ["master-restart", "node-loss"],
        ["partition", null],
      ]);
    });

    test("`--list` prints one line per scenario", () => {
      // GIVEN the synthesized stack
      // WHEN its drills are listed
      const result = haDrill([example.stackFile, "--list"]);

      // THEN the VIP pair heads its scenarios, each with its description
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain("vip-pair 198.18.0.10:80\n");
      expect(result.stdout).toMatch(/^ {2}node-loss +the master's links down/m);
      expect(result.stdout).toMatch(/^ {2}partition +VRRP and peer traffic dropped/m);
    });

    test("fails with status 2 for a scenario the stack's topologies do not offer, before anything runs", () => {
      // GIVEN the synthesized stack and a scenario no VIP pair offers
      // WHEN the drill is started with it
      const result = haDrill([example.stackFile, "--scenario", "meteor", "--json"]);

      // THEN the stack was read, the name checked against its scenarios, and nothing ran
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        "unknown scenario meteor; this stack offers node-loss, proxy-death, backend-death, master-restart, partition",
      );
      expect(result.stdout).toBe("");
    });
  });
});
