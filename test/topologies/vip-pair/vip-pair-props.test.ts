/** Every bad VipPairProps (and addVirtualIp option) a user can reasonably give, one row each. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe } from "vitest";
import {
  AwsPlatform,
  BackendPool,
  Balance,
  DockerPlatform,
  FloatingAddressMode,
  LoadBalancerImplementation,
  Stickiness,
  VipPair,
  type VipPairProps,
  type VrrpVersion,
} from "../../../lib";
import { badInputTable } from "../../support/bad-inputs";
import { dockerStack } from "../../support/docker-stack";

/** A pair "edge" on the Docker platform of dockerStack with `props` over its pool. */
const docker = (props: Partial<VipPairProps>) => () => {
  const { platform, web } = dockerStack(1);
  return new VipPair(platform, "edge", { backends: web, ...props });
};

/** A pair "edge" on an AWS platform "cloud" (VPC 10.40.0.0/16) with `props`. */
const aws = (props: Partial<VipPairProps>) => () => {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud");
  return new VipPair(cloud, "edge", { backends: new BackendPool(cloud, "web"), ...props });
};

describe("VipPair bad inputs", () => {
  badInputTable([
    {
      name: "no backends",
      build: () => new VipPair(dockerStack(1).platform, "edge", {} as VipPairProps),
      path: "test/local/edge",
      value: undefined,
      allowed: "give the BackendPool",
    },
    {
      name: "a pool on another platform",
      build: () => {
        const { stack, platform } = dockerStack(1);
        const other = new DockerPlatform(stack, "other");
        new VipPair(platform, "edge", { backends: new BackendPool(other, "web") });
      },
      path: "test/local/edge",
      value: "test/other/web",
      allowed: "a backend pool made on this pair's platform",
    },
    {
      name: "a segment of another platform",
      build: () => {
        const { stack, platform, web } = dockerStack(1);
        const other = new DockerPlatform(stack, "other");
        new VipPair(platform, "edge", { backends: web, segment: other.defaultSegment });
      },
      path: "test/local/edge/Vip",
      value: "test/other/Network",
      allowed: "attach hosts to a segment of test/local",
    },
    {
      name: "a pool on another Docker network of the platform",
      build: () => {
        const { platform } = dockerStack(1);
        const back = platform.addSegment("back");
        new VipPair(platform, "edge", { backends: new BackendPool(platform, "app", { segment: back }) });
      },
      path: "test/local/edge",
      value: "test/local/Network",
      allowed: "the pool test/local/app is on test/local/back, and docker segments do not reach each other",
    },
    {
      name: "a VIP outside the segment",
      build: docker({ virtualIp: "10.0.0.1" }),
      path: "test/local/edge/Vip",
      value: "10.0.0.1",
      allowed: "inside segment",
    },
    {
      name: "a VIP that is no address",
      build: docker({ virtualIp: "vip" }),
      path: "test/local/edge/Vip",
      value: "vip",
      allowed: "IPv4 address",
    },
    {
      name: "one node",
      build: docker({ nodeCount: 1 }),
      path: "test/local/edge",
      value: 1,
      allowed: "from 2 to 10",
    },
    {
      name: "listener port 0",
      build: docker({ listenerPort: 0 }),
      path: "test/local/edge",
      value: 0,
      allowed: "1 to 65535",
    },
    {
      name: "virtual router id 256",
      build: docker({ virtualRouterId: 256 }),
      path: "test/local/edge/Vip",
      value: 256,
      allowed: "1 to 255",
    },
    {
      name: "adverts of 5 ms",
      build: docker({ advertIntervalMs: 5 }),
      path: "test/local/edge",
      value: 5,
      allowed: "centiseconds",
    },
    {
      name: "equal priorities",
      build: docker({ priorities: [100, 100] }),
      path: "test/local/edge",
      value: [100, 100],
      allowed: "different priorities",
    },
    {
      name: "a negative preempt delay",
      build: docker({ preemptDelaySeconds: -1 }),
      path: "test/local/edge",
      value: -1,
      allowed: "0 to 1000",
    },
    {
      name: "VRRP version 4",
      build: docker({ vrrpVersion: 4 as VrrpVersion }),
      path: "test/local/edge",
      value: 4,
      allowed: "VrrpVersion.V2 or VrrpVersion.V3",
    },
    {
      name: "a mode Docker does not have",
      build: docker({ addressMode: FloatingAddressMode.ROUTE_TABLE }),
      path: "test/local/edge",
      value: "route-table",
      allowed: "use one of gratuitous-arp",
    },
    {
      name: "a managed balancer on Docker",
      build: docker({ implementation: LoadBalancerImplementation.managedNetwork() }),
      path: "test/local/edge",
      value: "managed network load balancer",
      allowed: "the docker platform has no managed",
    },
    {
      name: "a cookie name with a space",
      build: docker({ stickiness: Stickiness.cookie("my cookie") }),
      path: "test/local/edge",
      value: "my cookie",
      allowed: "1-63 characters",
    },
    {
      name: "a hash header with ':'",
      build: docker({ balance: Balance.consistentHashHeader("X:Y") }),
      path: "test/local/edge",
      value: "X:Y",
      allowed: "HTTP header name",
    },
    {
      name: "a relative notify script",
      build: docker({ notify: { master: ["hooks/up"] } }),
      path: "test/local/edge",
      value: "hooks/up",
      allowed: "absolute path",
    },
    {
      name: "route-table mode without an address",
      build: aws({ addressMode: FloatingAddressMode.ROUTE_TABLE }),
      path: "test/cloud/edge/Vip",
      value: undefined,
      allowed: "outside the VPC range",
    },
    {
      name: "route-table mode inside the VPC",
      build: aws({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "10.40.0.10" }),
      path: "test/cloud/edge/Vip",
      value: "10.40.0.10",
      allowed: "outside it",
    },
    {
      name: "gratuitous ARP on AWS",
      build: aws({ addressMode: FloatingAddressMode.GRATUITOUS_ARP }),
      path: "test/cloud/edge",
      value: "gratuitous-arp",
      allowed: "secondary-private-ip, route-table, elastic-ip",
    },
  ]);
});

describe("VipPair.addVirtualIp bad inputs", () => {
  const pair = () => docker({ virtualIp: "172.30.0.10" })();
  badInputTable([
    {
      name: "an id taken",
      build: () => pair().addVirtualIp("Vip"),
      path: "test/local/edge/Vip",
      value: "Vip",
      allowed: "already has a child",
    },
    {
      name: "a node that does not exist",
      build: () => pair().addVirtualIp("Second", { preferredNode: 5 }),
      path: "test/local/edge/Second",
      value: 5,
      allowed: "from 0 to 1",
    },
    {
      name: "the first VIP's address",
      build: () => pair().addVirtualIp("Second", { address: "172.30.0.10" }),
      path: "test/local/edge/Second",
      value: "172.30.0.10",
      allowed: "already used by test/local/edge/Vip",
    },
    {
      name: "a managed pair",
      build: () =>
        aws({ implementation: LoadBalancerImplementation.managedNetwork() })().addVirtualIp("Second"),
      path: "test/cloud/edge",
      value: "Second",
      allowed: "a managed load balancer has no virtual IPs",
    },
  ]);
});
