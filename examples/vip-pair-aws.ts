import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack } from "cdktf";
import { AwsPlatform, BackendPool, FloatingAddressMode, HealthCheck, VipPair } from "../lib";

/**
 * The VIP pair on AWS: a VPC over two availability zones, two keepalived + HAProxy instances
 * (one per zone) that move a route-table VIP through the EC2 API, and three demo backends
 * spread over the zones. Credentials and region come from the usual AWS environment
 * (AWS_REGION, AWS_PROFILE, ...); nothing is hard-coded.
 */
export function vipPairAws(app: App, name = "vip-pair-aws"): TerraformStack {
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", {});
  const cloud = new AwsPlatform(stack, "cloud", { vpcCidr: "10.40.0.0/16", zoneCount: 2 });
  const web = new BackendPool(cloud, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new VipPair(cloud, "edge", {
    // An address outside the VPC range, routed to whichever node is master: spans both zones.
    addressMode: FloatingAddressMode.ROUTE_TABLE,
    virtualIp: "100.64.0.10",
    backends: web,
  });
  return stack;
}
