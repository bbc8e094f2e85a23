/** A stack asking an AwsPlatform for health-checked names directly, and readers of its JSON. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import {
  AllUnhealthy,
  AwsPlatform,
  type AwsPlatformProps,
  BackendPool,
  DnsAnswerSelection,
  HealthCheck,
} from "../../../../lib";
import { DnsZone } from "../../../../lib/model/dns-zone";
import { AwsHost } from "../../../../lib/platforms/aws/host";
import type {
  HealthCheckedMember,
  HealthCheckedNameRequest,
} from "../../../../lib/platforms/health-checked-name";

/** Stack "test" in eu-west-1 with platform "cloud" and a pool "lb" of `replicas` hosts. */
export function platformStack(platform: AwsPlatformProps = {}, replicas = 3) {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud", platform);
  const pool = new BackendPool(cloud, "lb", {
    replicas,
    port: 80,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  const scope = new Construct(cloud, "pool");
  return { stack, cloud, pool, scope };
}

/** The pool's hosts as members (read when asked: at synthesis). */
export function hostMembers(pool: BackendPool): () => HealthCheckedMember[] {
  return () =>
    pool.node
      .findAll()
      .filter((c): c is AwsHost => c instanceof AwsHost)
      .map((h) => ({
        name: h.hostname,
        address: h.address,
        componentId: h.node.path,
        host: h,
        trafficGroup: pool.trafficGroup,
      }));
}

/** A request for "www" in a created public zone, members from `members`, overridable. */
export function request(
  members: () => readonly HealthCheckedMember[],
  memberCount: number,
  scope: Construct,
  overrides: Partial<HealthCheckedNameRequest> = {},
): HealthCheckedNameRequest {
  return {
    zone: DnsZone.create("pool.example.com"),
    recordName: "www",
    ttlSeconds: 30,
    memberCount,
    members,
    healthCheck: HealthCheck.http({
      path: "/healthz",
      port: 8404,
      intervalMs: 10_000,
      timeoutMs: 2000,
      unhealthyThreshold: 3,
    }),
    servicePort: 80,
    selection: DnsAnswerSelection.all(),
    allUnhealthy: AllUnhealthy.answerAll(),
    segment: (scope.node.scope as AwsPlatform).defaultSegment,
    topology: scope.node.path,
    ...overrides,
  };
}

/** External members at fixed public addresses. */
export function fixedMembers(...addresses: string[]): () => HealthCheckedMember[] {
  return () =>
    addresses.map((address, i) => ({ name: `ext-${i + 1}`, address, componentId: `endpoint:ext-${i + 1}` }));
}
