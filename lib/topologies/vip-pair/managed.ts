import type { Construct } from "constructs";
import { invalid } from "../../errors";
import type { ManagedLoadBalancerKind } from "../../platforms/managed-load-balancer";
import type { IPlatform } from "../../platforms/platform";
import { backendDeathBehindManaged } from "./predictions";
import { NODE_ONLY_PROPS, type VipPairProps } from "./vip-pair-props";

/**
 * The pair served by the cloud's load balancer instead of nodes: checks the props fit, makes the
 * balancer (construct id `LoadBalancer`) and records its zones in the availability model.
 * Returns the DNS name clients use.
 */
export function buildManagedPair(
  pair: Construct,
  platform: IPlatform,
  props: VipPairProps,
  kind: ManagedLoadBalancerKind,
  listenerPort: number,
): string {
  if (!platform.traits.managedLoadBalancers.includes(kind)) {
    invalid(
      pair,
      "implementation",
      `managed ${kind} load balancer`,
      `the ${platform.platformName} platform has no managed ${kind} load balancer: use LoadBalancerImplementation.selfManaged() (keepalived + HAProxy)`,
    );
  }
  const nodeProps = NODE_ONLY_PROPS.filter((k) => props[k] !== undefined);
  if (nodeProps.length) {
    invalid(
      pair,
      "props",
      nodeProps,
      "a managed load balancer has no VRRP nodes or HAProxy: leave these unset",
    );
  }
  const pool = props.backends;
  const binding = platform.addManagedLoadBalancer(pair, "LoadBalancer", {
    kind,
    listenerPort,
    targets: () => pool.members.map((m) => ({ address: m.address, port: m.port })),
    targetPort: pool.port,
    healthCheck: pool.healthCheck,
    trafficGroup: pair.node.path,
    targetTrafficGroup: pool.trafficGroup,
    ...(props.stickiness ? { stickyCookie: props.stickiness.cookieName } : {}),
  });
  const model = platform.availability;
  const members = binding.failureDomains.map((d, i) => {
    const id = `${pair.node.path}/LoadBalancer/Zone${i}`;
    model.addComponent({
      id,
      hostname: `${pair.node.id}-${kind}-lb-${i}`,
      role: "managed-load-balancer",
      topology: pair.node.path,
      failureDomain: d.id,
    });
    return id;
  });
  model.notes.push(...binding.notes);
  model.addGroup({
    id: pair.node.path,
    role: "load-balancer",
    topology: pair.node.path,
    members,
    minimumHealthy: 1,
    mechanism: `cloud-managed ${kind} load balancer, cross-zone (the cloud's own redundancy)`,
    predictions: [],
    dependsOn: [pool.redundancyGroupId],
  });
  model.addPrediction(pool.redundancyGroupId, backendDeathBehindManaged(binding.targetDetectionSeconds));
  return binding.dnsName;
}
