import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseHaproxyCfg, parseKeepalivedConf } from "../../lib/drill/daemon-config";
import { parseDockerStack } from "../../lib/drill/stack";
import { planVipPair } from "../../lib/drill/vip-pair-plan";
import { copyOf, DRILL_EXAMPLE, type SynthesizedExample, synthesizeDrillExample } from "./fixture";

type Doc = { resource: Record<string, Record<string, { upload?: { file: string; content: string }[] }>> };

describe("reading the generated daemon configuration", () => {
  test("parses a keepalived.conf: instance, priority, advert, preemption, VIP, peers", () => {
    // GIVEN a keepalived.conf with comments, quoted scripts and unicast peers
    const text = [
      "! comment",
      "global_defs {",
      "    vrrp_version 3   # VRRPv3",
      "}",
      'vrrp_script chk { script "/usr/bin/curl --fail http://127.0.0.1:8404/x" }',
      "vrrp_instance VI_7 {",
      "    state BACKUP",
      "    interface eth0",
      "    virtual_router_id 7",
      "    priority 120",
      "    advert_int 0.5",
      "    preempt_delay 4",
      "    unicast_peer {",
      "        10.0.0.2",
      "    }",
      "    virtual_ipaddress {",
      "        10.0.0.10/24 dev eth0",
      "    }",
      "    track_script {",
      "        chk",
      "    }",
      "}",
    ].join("\n");

    // WHEN it is parsed
    const facts = parseKeepalivedConf(text);

    // THEN the instance's facts are read
    expect(facts.vrrpVersion).toBe(3);
    expect(facts.instances).toEqual([
      {
        name: "VI_7",
        initialState: "BACKUP",
        interface: "eth0",
        virtualRouterId: 7,
        priority: 120,
        advertIntervalSeconds: 0.5,
        noPreempt: false,
        preemptDelaySeconds: 4,
        virtualAddresses: ["10.0.0.10"],
        unicastPeers: ["10.0.0.2"],
        trackScripts: ["chk"],
      },
    ]);
  });

  test("throws for an unbalanced keepalived.conf", () => {
    // GIVEN a block that is never closed
    // WHEN it is parsed
    // THEN the parser says so
    expect(() => parseKeepalivedConf("vrrp_instance VI_1 {\n state MASTER\n")).toThrow(/unbalanced/);
  });

  test("parses an haproxy.cfg: binds, X-Load-Balancer and the servers of the default backend", () => {
    // GIVEN a small haproxy.cfg
    const text = [
      "global",
      "    maxconn 10",
      "frontend fe",
      "    bind 10.0.0.10:80",
      "    http-response set-header X-Load-Balancer lb-a",
      "    default_backend be",
      "backend be",
      "    server a 10.0.0.2:8080 check",
      "    server b 10.0.0.3:8081",
    ].join("\n");

    // WHEN it is parsed
    const facts = parseHaproxyCfg(text);

    // THEN the frontend and the backend's servers are read
    expect(facts.frontends).toEqual([
      {
        name: "fe",
        binds: [{ address: "10.0.0.10", port: 80 }],
        defaultBackend: "be",
        loadBalancerHeader: "lb-a",
      },
    ]);
    expect(facts.backends.get("be")).toEqual([
      { name: "a", address: "10.0.0.2", port: 8080 },
      { name: "b", address: "10.0.0.3", port: 8081 },
    ]);
  });
});

describe("planVipPair on the synthesized drill example", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample();
  });
  afterAll(() => example?.remove());

  test("finds the VIP, the preferred node, the backends and the preemption settings", () => {
    // GIVEN the synthesized vip-pair-docker-drill stack
    const stack = parseDockerStack(example.document, DRILL_EXAMPLE);

    // WHEN the drill plans the VIP pair
    const plan = planVipPair(stack);

    // THEN the VIP 198.18.0.10:80 is held by edge-lb-0 (priority 150) while healthy
    expect(plan.vip).toBe("198.18.0.10");
    expect(plan.port).toBe(80);
    expect(plan.nodes.map((n) => [n.hostname, n.instance.priority, n.loadBalancerName])).toEqual([
      ["edge-lb-0", 150, "edge-lb-0"],
      ["edge-lb-1", 100, "edge-lb-1"],
    ]);
    // AND the backends and VRRP timing come from the generated files
    expect(plan.backends.map((b) => `${b.hostname}@${b.address}:${b.port}`)).toEqual([
      "web-0@198.18.0.2:8080",
      "web-1@198.18.0.3:8080",
      "web-2@198.18.0.4:8080",
    ]);
    expect(plan.advertIntervalSeconds).toBe(0.2);
    expect(plan.preempt).toBe(true);
    expect(plan.preemptDelaySeconds).toBe(10);
    expect(plan.unicast).toBe(false);
  });

  test("throws for a stack where only one container runs keepalived", () => {
    // GIVEN the example with the second node's keepalived.conf removed
    const doc = copyOf(example.document) as Doc;
    for (const c of Object.values(doc.resource.docker_container ?? {})) {
      if (c.upload?.some((u) => u.content.includes("router_id edge-lb-1"))) {
        c.upload = c.upload.filter((u) => u.file !== "/etc/keepalived/keepalived.conf");
      }
    }

    // WHEN the drill plans a VIP pair
    // THEN it says how many it found
    expect(() => planVipPair(parseDockerStack(doc))).toThrow(
      /found 1 container\(s\) with a keepalived vrrp_instance/,
    );
  });
});
