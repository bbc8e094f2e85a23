import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack } from "cdktf";
import { AllUnhealthy, AwsPlatform, BackendPool, HealthCheck, HealthCheckedDnsPool } from "../lib";

/**
 * The DNS pool on AWS: three HAProxy instances over two availability zones, each a member of
 * `www.pool.example.test` in a Route 53 hosted zone the stack creates, with one Route 53 health
 * check per instance and multivalue answer records; three demo backends spread over the zones.
 * Credentials and region come from the usual AWS environment; nothing is hard-coded.
 */
export function dnsPoolAws(app: App, name = "dns-pool-aws"): TerraformStack {
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", {});
  const cloud = new AwsPlatform(stack, "cloud", { vpcCidr: "10.41.0.0/16", zoneCount: 2 });
  const web = new BackendPool(cloud, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new HealthCheckedDnsPool(cloud, "www", {
    zone: "pool.example.test",
    backends: web,
    nodeCount: 3,
    allUnhealthy: AllUnhealthy.answerAll(),
  });
  return stack;
}
