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

  test("takes a topology's extras: more bind addresses, packages under their own image, files, processes, sysctls", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.7.0/24" });
    const web = new BackendPool(platform, "web", { replicas: 1 });
    const scope = new Construct(platform, "tier");
    const proxy = new HaproxyProxy(scope, [{ name: "tier", port: 80, backends: web }], {});
    const node = addHaproxyNode(
      {
        scope,
        platform,
        proxy,
        segment: platform.defaultSegment,
        spread: Spread.even(),
        trafficGroup: "g",
        startsAfter: () => [],
        extras: {
          bindAddresses: ["198.51.100.10"],
          packages: ["iproute2"],
          imageName: "ha-l7",
          files: [{ path: "/usr/local/sbin/x", content: "#!/bin/sh\n", executable: true }],
          processes: [{ name: "x", command: ["/usr/local/sbin/x"] }],
          sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
        },
      },
      0,
    );
    const file = node.spec.files.find((f) => f.path === "/etc/haproxy/haproxy.cfg");
    expect(file ? resolveText(file.content) : "").toContain("bind 198.51.100.10:80");
    expect(node.spec.software.name).toBe("ha-l7");
    expect(node.spec.software.packages).toContain("iproute2");
    expect(node.spec.processes.map((p) => p.name)).toEqual(["x", "haproxy"]);
    expect(node.spec.sysctls).toEqual({ "net.ipv4.ip_nonlocal_bind": "1" });
    expect(node.spec.files.map((f) => f.path)).toContain("/usr/local/sbin/x");
  });
});
