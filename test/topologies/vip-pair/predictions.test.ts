import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { HealthCheck, VrrpVersion } from "../../../lib";
import { HaproxyProxy } from "../../../lib/topologies/parts/haproxy-proxy";
import {
  backendDeathBehindManaged,
  backendDeathBehindProxy,
  vipPairPredictions,
} from "../../../lib/topologies/vip-pair/predictions";
import { dockerStack } from "../../support/docker-stack";

function proxy() {
  const { platform, web } = dockerStack(2);
  return new HaproxyProxy(new Construct(platform, "p"), [{ name: "p", port: 80, backends: web }], {});
}

describe("VIP pair predictions", () => {
  test("node loss is the master-down interval; proxy death the skew; a hung proxy the track script plus skew; a partition splits", () => {
    const [node, proxyDeath, hang, partition] = vipPairPredictions(
      { version: VrrpVersion.V3, advertIntervalMs: 100, backupPriority: 100 },
      proxy(),
      undefined,
    );
    expect(node).toMatchObject({ fault: "node-loss", recoverySeconds: 0.361 });
    // The supervisor's down file (inotify) and the priority-0 advert leave only the skew.
    expect(proxyDeath).toMatchObject({ fault: "proxy-process-death", recoverySeconds: 0.061 });
    expect(proxyDeath?.basis).toContain("/run/ha/haproxy.down");
    expect(hang).toMatchObject({ fault: "proxy-hang", recoverySeconds: 3.061 });
    expect(hang?.basis).toContain("fall 2 × interval 1 s + timeout 1 s");
    expect(partition).toMatchObject({ fault: "partition-between-nodes", splitBrainAfterSeconds: 0.361 });
    expect(partition).not.toHaveProperty("recoverySeconds");
    expect(partition?.failedRequests).toMatch(/split brain/);
  });

  test("an address moved through an API adds its time to node and proxy loss, not to the partition", () => {
    const move = { seconds: 2, basis: "about 2 s for the API call" };
    const [node, proxyDeath, hang, partition] = vipPairPredictions(
      { version: VrrpVersion.V3, advertIntervalMs: 200, backupPriority: 100 },
      proxy(),
      move,
    );
    expect([node?.recoverySeconds, proxyDeath?.recoverySeconds, hang?.recoverySeconds]).toEqual([
      2.722, 2.122, 5.122,
    ]);
    expect(partition?.splitBrainAfterSeconds).toBe(0.722);
    expect(node?.basis).toMatch(/\+ about 2 s for the API call$/);
  });

  test("a backend death costs no request behind HAProxy, and the target check's time behind a managed balancer", () => {
    const p = proxy();
    expect(backendDeathBehindProxy(p, HealthCheck.http({ path: "/" }))).toMatchObject({
      fault: "backend-process-death",
      recoverySeconds: 0,
      basis: "passive check marks the backend down after 3 errors; active check after 2 × 1000 ms",
    });
    expect(backendDeathBehindManaged(10)).toMatchObject({ recoverySeconds: 10 });
  });
});
