import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { planVipPair } from "../../../lib/drill/vip-pair/plan";
import { copyOf, DRILL_EXAMPLE, type SynthesizedExample, synthesizeDrillExample } from "../fixture";

type Doc = { resource: Record<string, Record<string, { upload?: { file: string; content: string }[] }>> };

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
    expect(plan.network).toBe(stack.networks[0]?.key);
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
    expect(plan.advertIntervalSeconds).toBe(0.1);
    expect(plan.preempt).toBe(true);
    expect(plan.preemptDelaySeconds).toBe(10);
    expect(plan.unicast).toBe(false);
    // AND the VIP comes from the claim scripts (keepalived.conf holds a loopback marker)
    expect(plan.addressProbe).toBe(true);
    expect(plan.nodes.map((n) => n.instance.virtualAddresses)).toEqual([["198.18.0.10"], ["198.18.0.10"]]);
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
