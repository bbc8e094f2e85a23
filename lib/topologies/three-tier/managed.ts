import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { HealthCheck } from "../../model/health-check";
import type { IHost } from "../../platforms/host";
import { ManagedLoadBalancerKind } from "../../platforms/managed-load-balancer";
import type { IPlatform } from "../../platforms/platform";
import { type HaproxyProxy, HEALTH_URI } from "../parts/haproxy-proxy";
import { SELF_RUN_L3L4_PROPS, type ThreeTierLoadBalancerProps } from "./three-tier-props";

/**
 * The L3 and L4 tiers as the cloud's network load balancer, where hosts cannot run BGP with ECMP
 * (AWS): an NLB across every zone, cross-zone on, in front of the L7 HAProxy nodes, each checked
 * on its health endpoint (which fails while its HAProxy has no backend up). Returns the NLB's
 * DNS name.
 */
export function buildManagedL3L4(
  tier: Construct,
  platform: IPlatform,
  props: ThreeTierLoadBalancerProps,
  proxy: HaproxyProxy,
  l7: readonly IHost[],
  port: number,
  trafficGroup: string,
): string {
  if (!platform.traits.managedLoadBalancers.includes(ManagedLoadBalancerKind.NETWORK)) {
    invalid(
      tier,
      "platform",
      platform.node.path,
      `the ${platform.platformName} platform has neither BGP with ECMP between hosts nor a managed network load balancer`,
    );
  }
  const given = SELF_RUN_L3L4_PROPS.filter((k) => props[k] !== undefined);
  if (given.length > 0) {
    invalid(
      tier,
      given.join(", "),
      given,
      `the ${platform.platformName} platform runs no routers or L4 nodes of yours (hosts cannot peer by BGP with ECMP there): a managed network load balancer stands in for both, so leave these out`,
    );
  }
  const binding = platform.addManagedLoadBalancer(tier, "L3L4", {
    kind: ManagedLoadBalancerKind.NETWORK,
    listenerPort: port,
    targets: () => l7.map((h) => ({ address: h.address, port })),
    targetPort: port,
    healthCheck: HealthCheck.http({
      path: HEALTH_URI,
      port: proxy.healthPort,
      intervalMs: 5000,
      timeoutMs: 2000,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    }),
    trafficGroup: `${tier.node.path}/L3L4`,
    targetTrafficGroup: trafficGroup,
  });
  const model = platform.availability;
  const members = binding.failureDomains.map((d, i) => {
    const id = `${tier.node.path}/L3L4/Zone${i}`;
    model.addComponent({
      id,
      hostname: `${tier.node.id}-nlb-${i}`,
      role: "managed-load-balancer",
      topology: tier.node.path,
      failureDomain: d.id,
    });
    return id;
  });
  for (const note of binding.notes) model.addNote(`${tier.node.path}: ${note}`);
  model.addNote(
    `${tier.node.path}: on ${platform.platformName} the L3 (BGP + ECMP routers) and L4 (IPVS) tiers map to one network load balancer across ${members.length} zones in front of the ${l7.length} L7 HAProxy nodes; the cloud runs its redundancy`,
  );
  model.addGroup({
    id: `${tier.node.path}/L3L4`,
    role: "l4-load-balancer",
    topology: tier.node.path,
    members,
    minimumHealthy: 1,
    mechanism: "cloud-managed network load balancer, cross-zone (the cloud's own redundancy)",
    predictions: [
      {
        fault: "l7-node-loss",
        recoverySeconds: binding.targetDetectionSeconds,
        failedRequests:
          "connections open on the lost L7 node; new ones sent to it until the NLB's check marks it unhealthy",
        basis: `target-group health check on ${HEALTH_URI}: ${binding.targetDetectionSeconds} s (interval × unhealthy threshold)`,
      },
    ],
    dependsOn: [`${tier.node.path}/L7`],
  });
  return binding.dnsName;
}
