import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { BackendPool, DockerPlatform, Spread } from "../../../lib";
import { resolveText } from "../../../lib/model/host-spec";
import { addHaproxyNode, haproxyNodeMembers } from "../../../lib/topologies/parts/haproxy-nodes";
import { HaproxyProxy } from "../../../lib/topologies/parts/haproxy-proxy";

describe("HAProxy nodes on their own addresses", () => {
  test("each node serves and exposes its health endpoint on its own address, after the backends", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.7.0/24" });
    const web = new BackendPool(platform, "web", { replicas: 2 });
    const scope = new Construct(platform, "tier");
    const proxy = new HaproxyProxy(scope, [{ name: "tier", port: 80, backends: web }], {});
    const ctx = {
      scope,
      platform,
      proxy,
      segment: platform.defaultSegment,
      spread: Spread.even(),
      trafficGroup: "s/local/tier",
      startsAfter: () => web.members.map((m) => m.componentId),
    };
    const nodes = [addHaproxyNode(ctx, 0), addHaproxyNode(ctx, 1)];
    expect(nodes.map((n) => n.hostname)).toEqual(["tier-lb-0", "tier-lb-1"]);
    const file = nodes[1]?.spec.files.find((f) => f.path === "/etc/haproxy/haproxy.cfg");
    const cfg = file ? resolveText(file.content) : "";
    expect(cfg).toContain(`bind ${nodes[1]?.address}:80`);
    expect(cfg).toContain(`bind ${nodes[1]?.address}:8404`);
    expect(cfg).toContain("monitor fail if { nbsrv(be_web) lt 1 }");
    expect(nodes[0]?.spec.startsAfter?.()).toEqual(["s/local/web/Replica0", "s/local/web/Replica1"]);
    expect(haproxyNodeMembers(nodes, "g").map((m) => [m.name, m.address, m.componentId])).toEqual([
      ["tier-lb-0", nodes[0]?.address, "s/local/tier/Node0"],
      ["tier-lb-1", nodes[1]?.address, "s/local/tier/Node1"],
    ]);
  });
});
