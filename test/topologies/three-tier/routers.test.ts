import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  DockerPlatform,
  ThreeTierLoadBalancer,
  type ThreeTierLoadBalancerProps,
} from "../../../lib";
import { resolveText } from "../../../lib/model/host-spec";
import { haReport } from "../../../lib/testing";
import { BIRD_CONF, birdProcess } from "../../../lib/topologies/three-tier/routers";

/** The three tiers on Docker with one backend, and their stack. */
function threeTiers(props: Partial<ThreeTierLoadBalancerProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "s");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.3.0/24" });
  const web = new BackendPool(platform, "web", { replicas: 1 });
  const tier = new ThreeTierLoadBalancer(platform, "edge", {
    backends: web,
    serviceAddresses: ["198.18.200.10"],
    ...props,
  });
  return { stack, tier };
}

describe("three-tier routers", () => {
  test("run BIRD and keepalived; the gateway is given up while BIRD is down (track file)", () => {
    const { tier } = threeTiers();
    const router = tier.selfRun?.routers[1];
    expect(router?.hostname).toBe("edge-router-1");
    expect(router?.spec.processes.map((p) => p.name)).toEqual(["bird", "keepalived"]);
    expect(birdProcess().command).toEqual([
      "/usr/sbin/bird",
      "-f",
      "-c",
      BIRD_CONF,
      "-s",
      // In /run/ha, which the supervisor makes: a container has no /run/bird.
      "/run/ha/bird.ctl",
    ]);
    const keepalived = router?.spec.files.find((f) => f.path === "/etc/keepalived/keepalived.conf");
    const conf = keepalived ? resolveText(keepalived.content) : "";
    expect(conf).toContain("/run/ha/bird.down");
    // The gateway address is added by the claim script after its ARP probe.
    const files = router?.spec.files.map((f) => resolveText(f.content)).join("\n") ?? "";
    expect(files).toContain(`${tier.selfRun?.gateway.address}/24`);
    expect(router?.spec.sysctls["net.ipv4.ip_forward"]).toBe("1");
  });

  test("share the gateway with the VRRP options given (`gateway`), and predict its loss from them", () => {
    const build = (gateway?: { advertIntervalMs: number }) => {
      const { stack, tier } = threeTiers(gateway ? { gateway } : {});
      const keepalived = tier.selfRun?.routers[0]?.spec.files.find(
        (f) => f.path === "/etc/keepalived/keepalived.conf",
      );
      const routerLoss = haReport(stack)
        .redundancyGroups.find((g) => g.id === "s/local/edge/Routers")
        ?.predictions.find((p) => p.fault === "router-loss");
      return { conf: keepalived ? resolveText(keepalived.content) : "", routerLoss };
    };
    const quick = build();
    const slow = build({ advertIntervalMs: 1000 });
    expect(quick.conf).toMatch(/advert_int 0\.1\b/);
    expect(slow.conf).toMatch(/advert_int 1\b/);
    // master-down: 3 adverts + the skew of the backup's priority, so ten times as long
    expect(quick.routerLoss?.recoverySeconds).toBeLessThan(0.5);
    expect(slow.routerLoss?.recoverySeconds).toBeGreaterThan(3);
    expect(slow.routerLoss?.basis).toContain("1000 ms");
  });
});
