/** A VIP pair over a backend pool on an AwsPlatform, and readers of its synthesized JSON. */
import { gunzipSync } from "node:zlib";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import {
  AwsPlatform,
  type AwsPlatformProps,
  BackendPool,
  type BackendPoolProps,
  HealthCheck,
  VipPair,
  type VipPairProps,
} from "../../../lib";
import { resourcesOfType } from "../../../lib/testing";

/** An existing VPC with one subnet in each of two zones. */
export const EXISTING_NETWORK = {
  vpcId: "vpc-0a1b2c3d",
  vpcCidr: "10.9.0.0/16",
  subnets: [
    { subnetId: "subnet-0a1b2c3a", availabilityZone: "eu-west-1a", cidr: "10.9.1.0/24" },
    { subnetId: "subnet-0a1b2c3b", availabilityZone: "eu-west-1b", cidr: "10.9.2.0/24" },
  ],
};

/** Stack "test" in eu-west-1: platform "cloud", pool "web" (3 replicas), pair "edge". */
export function build(
  pair: Partial<VipPairProps> = {},
  platform: AwsPlatformProps = {},
  pool: BackendPoolProps = { replicas: 3, healthCheck: HealthCheck.http({ path: "/healthz" }) },
) {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud", platform);
  const web = new BackendPool(cloud, "web", pool);
  const vip = new VipPair(cloud, "edge", { backends: web, ...pair });
  return { stack, cloud, web, vip };
}

// biome-ignore lint/suspicious/noExplicitAny: synthesized JSON
export type Json = any;

export function instances(json: Json): Json[] {
  return Object.values(resourcesOfType(json, "aws_instance"));
}

export function instanceOf(json: Json, hostname: string): Json {
  return instances(json).find((i) => i.tags.Name === `test-${hostname}`);
}

/** The cloud-config of an instance, parsed, with the files decoded. */
export function cloudConfig(
  json: Json,
  hostname: string,
): { packages: string[]; files: Map<string, string>; runcmd: string[][] } {
  const doc = parse(instanceOf(json, hostname).user_data as string);
  const files = new Map<string, string>();
  for (const f of doc.write_files as Array<{ path: string; content: string; encoding?: string }>) {
    files.set(
      f.path,
      f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8") : f.content,
    );
  }
  return { packages: doc.packages, files, runcmd: doc.runcmd };
}
