import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack } from "cdktf";
import { AwsPlatform, BackendPool, HealthCheck, ThreeTierLoadBalancer } from "../lib";

/**
 * The three tiers on AWS, where hosts cannot peer by BGP with ECMP: a network load balancer
 * across two zones stands in for the routers and L4 nodes, in front of three HAProxy L7
 * instances spread over the zones and three demo backends.
 */
export function threeTierAws(app: App, name = "three-tier-aws"): TerraformStack {
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", {});
  const cloud = new AwsPlatform(stack, "cloud", { vpcCidr: "10.42.0.0/16", zoneCount: 2 });
  const web = new BackendPool(cloud, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new ThreeTierLoadBalancer(cloud, "edge", { backends: web, l7Nodes: 3 });
  return stack;
}
