import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { BackendPool, DockerPlatform, ThreeTierLoadBalancer } from "../../../lib";
import { resolveText } from "../../../lib/model/host-spec";
import { L4_GATE, L4_SETUP } from "../../../lib/topologies/three-tier/l4-nodes";

describe("three-tier L4 nodes", () => {
  test("put the service addresses on loopback, run BIRD, keepalived (IPVS only) and the gate", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.3.0/24" });
    const web = new BackendPool(platform, "web", { replicas: 1 });
    const tier = new ThreeTierLoadBalancer(platform, "edge", {
      backends: web,
      serviceAddresses: ["198.18.200.10", "198.18.200.11"],
      ports: [80, 443],
    });
    const node = tier.selfRun?.l4Nodes[0];
    expect(node?.spec.processes.map((p) => p.name)).toEqual([
      "l4-addresses",
      "bird",
      "keepalived",
      "l4-gate",
    ]);
    expect(node?.spec.processes.find((p) => p.name === "keepalived")?.command).toContain("--check");
    expect(node?.spec.processes.find((p) => p.name === "l4-gate")?.command).toEqual([L4_GATE, "run"]);
    const file = (path: string) => {
      const f = node?.spec.files.find((x) => x.path === path);
      return f ? resolveText(f.content) : "";
    };
    expect(file(L4_SETUP)).toContain("ip -4 addr replace 198.18.200.11/32 dev lo");
    // One virtual service per address and port, each with every L7 node.
    const ipvs = file("/etc/keepalived/keepalived.conf");
    expect(ipvs.match(/^virtual_server /gm)).toHaveLength(4);
    expect(ipvs).toContain("virtual_server 198.18.200.11 443 {");
    expect(ipvs).toContain('quorum_up "/usr/local/sbin/ha-l4-gate once"');
    expect(file("/etc/bird/bird.conf")).toContain("svc_198_18_200_11");
  });
});
