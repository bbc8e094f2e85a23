import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { BackendPool, DockerPlatform, ThreeTierLoadBalancer } from "../../../lib";
import { haReport } from "../../../lib/testing";

describe("three-tier predictions", () => {
  test("give the arithmetic: BFD for an L4 node's loss, the gate's round for a drain, VRRP for a router", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.3.0/24" });
    const web = new BackendPool(platform, "web", { replicas: 1 });
    new ThreeTierLoadBalancer(platform, "edge", {
      backends: web,
      serviceAddresses: ["198.18.200.10"],
      bfd: { intervalMs: 50, multiplier: 4 },
    });
    const report = haReport(stack);
    const faults = Object.fromEntries(
      report.redundancyGroups.flatMap((g) => g.predictions.map((p) => [p.fault, p] as const)),
    );
    expect(faults["l4-node-loss"]?.recoverySeconds).toBe(0.2);
    expect(faults["l4-node-loss"]?.basis).toContain("BFD 4 × 50 ms = 200 ms");
    expect(faults["l4-node-drain"]?.basis).toContain("every 200 ms");
    expect(faults["router-loss"]?.basis).toMatch(/master-down|advert/i);
    expect(report.floatingAddresses.map((f) => [f.id, f.healthyOn])).toEqual([
      ["s/local/edge/Routers/Gateway", "s/local/edge/Router0"],
      ["s/local/edge/Service0", ""],
    ]);
  });

  test("name each service address as announced by every L4 node, with the ports it serves", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.3.0/24" });
    const web = new BackendPool(platform, "web", { replicas: 1 });
    new ThreeTierLoadBalancer(platform, "edge", {
      backends: web,
      serviceAddresses: ["198.18.200.10", "198.18.200.11"],
      ports: [80, 8443],
    });
    const service = haReport(stack).floatingAddresses.filter((f) => f.mode === "bgp-ecmp");
    expect(service).toEqual([
      expect.objectContaining({
        address: "198.18.200.10",
        listenerPorts: [80, 8443],
        announcedBy: "s/local/edge/L4",
      }),
      expect.objectContaining({
        address: "198.18.200.11",
        listenerPorts: [80, 8443],
        announcedBy: "s/local/edge/L4",
      }),
    ]);
  });
});
