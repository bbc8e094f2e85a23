import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { StackReport } from "../../../lib/drill/core/stack-report";
import { THREE_TIER_DRILL } from "../../../lib/drill/three-tier/drill";
import { haproxyIdleLimitMs, planThreeTiers, tunnelsToL7 } from "../../../lib/drill/three-tier/plan";
import { caught } from "../../support/errors";
import { type SynthesizedExample, synthesizeDrillExample } from "../fixture";

const EXAMPLE = "three-tier-docker-drill";

describe("the three tiers' drill recognizes its topology", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample(EXAMPLE);
  });
  afterAll(() => example?.remove());

  test("finds the routers, L4 and L7 nodes, the gateway and the service address in the report", () => {
    // GIVEN the synthesized stack and its ha-report.json
    const stack = parseDockerStack(example.document, EXAMPLE);
    const report = StackReport.besideStack(example.stackFile);

    // WHEN the three tiers' drill looks at them
    const targets = THREE_TIER_DRILL.recognize(stack, report);

    // THEN it finds one instance with its hosts by tier, and offers five scenarios
    expect(targets.map((t) => t.name)).toEqual(["198.18.207.10"]);
    expect(targets[0]?.scenarios.map((s) => s.name)).toEqual([
      "l4-node-blackhole",
      "l4-node-drain",
      "l4-node-return",
      "l7-node-loss",
      "router-loss",
    ]);
    expect(targets[0]?.describe()).toEqual({
      serviceAddresses: ["198.18.207.10"],
      servicePort: 80,
      gateway: "198.18.7.5",
      routers: [
        { hostname: "edge-router-0", address: "198.18.7.6" },
        { hostname: "edge-router-1", address: "198.18.7.7" },
      ],
      l4Nodes: [
        { hostname: "edge-l4-0", address: "198.18.7.8" },
        { hostname: "edge-l4-1", address: "198.18.7.9" },
      ],
      l7Nodes: [
        { hostname: "edge-l7-0", address: "198.18.7.10" },
        { hostname: "edge-l7-1", address: "198.18.7.11" },
      ],
    });
    // The client place must not take the gateway's address.
    expect(targets[0]?.labOptions.reservedAddresses).toEqual(["198.18.7.5"]);
    // The L4 nodes need IPVS, and the L7 nodes ipip, as the L4 nodes tunnel to them: a split lab
    // runs these four in a VM.
    expect(planThreeTiers(stack, report)[0]?.tunnelled).toBe(true);
    expect(targets[0]?.labOptions.fullKernelHosts).toEqual([
      "edge-l4-0",
      "edge-l4-1",
      "edge-l7-0",
      "edge-l7-1",
    ]);
    // The L7 nodes' idle limit comes from their own haproxy.cfg: the three tiers' 10 s keep-alive.
    expect(planThreeTiers(stack, report)[0]?.idleLimitMs).toBe(10_000);
  });

  test("tells tunnelling L4 nodes from direct-return ones by their keepalived.conf", () => {
    expect(tunnelsToL7("virtual_server 198.18.207.10 80 {\n    lvs_method TUN\n}\n")).toBe(true);
    expect(tunnelsToL7("virtual_server 198.18.207.10 80 {\n    lvs_method DR\n}\n")).toBe(false);
    expect(tunnelsToL7("")).toBe(false);
  });

  test("reads the idle limit as HTTP keep-alive in HTTP mode and as the client timeout in TCP mode", () => {
    const cfg = (mode: string) =>
      `defaults\n    mode ${mode}\n    timeout client 30s\n    timeout http-keep-alive 1500ms\n`;
    expect(haproxyIdleLimitMs(cfg("http"), "t")).toBe(1500);
    expect(haproxyIdleLimitMs(cfg("tcp"), "t")).toBe(30_000);
    expect(caught(() => haproxyIdleLimitMs("defaults\n    mode http\n", "t")).message).toContain(
      "sets no client timeout",
    );
  });

  test("finds nothing in a stack of another topology", () => {
    const other = synthesizeDrillExample("vip-pair-docker-drill");
    try {
      const stack = parseDockerStack(other.document, "vip-pair-docker-drill");
      expect(THREE_TIER_DRILL.recognize(stack, StackReport.besideStack(other.stackFile))).toEqual([]);
    } finally {
      other.remove();
    }
  });

  test("refuses tiers whose report names no service address, saying so", () => {
    // GIVEN the report without its floating addresses (as an older report would be)
    const stack = parseDockerStack(example.document, EXAMPLE);
    const full = StackReport.besideStack(example.stackFile);
    const report = new StackReport({ redundancyGroups: full.groups, floatingAddresses: [] });

    // WHEN it is planned, THEN the drill says what is missing
    expect(caught(() => planThreeTiers(stack, report)).message).toContain("names no service address");
  });

  test("refuses a member that is not a container of the stack", () => {
    const stack = parseDockerStack(example.document, EXAMPLE);
    const full = StackReport.besideStack(example.stackFile);
    const groups = full.groups.map((g) =>
      g.role === "l7-load-balancer" ? { ...g, members: [...(g.members ?? []), "elsewhere/Node9"] } : g,
    );
    const report = new StackReport({ redundancyGroups: groups, floatingAddresses: full.floatingAddresses });
    expect(caught(() => planThreeTiers(stack, report)).message).toContain(
      "elsewhere/Node9 is not a container of the stack",
    );
  });
});
