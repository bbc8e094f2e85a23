/**
 * What the synth benchmark builds. Two tables, so that a new platform or topology is a few lines:
 *
 * - PLATFORMS: how to create each library platform in a stack, and the plain-cdktf baselines
 *   that build, by hand, what the library builds on that platform (one per topology).
 * - TOPOLOGIES: how to build each topology at a given size on whatever platform it is given
 *   (topologies are platform-neutral, so one builder serves every platform; the few props that
 *   differ, such as the VIP's address and how it moves, come from the platform's entry).
 *
 * Every (platform, topology) pair is measured; a pair without a plain baseline is measured
 * without a ratio.
 */
import type { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { IPlatform, VipPairProps } from "../lib";
import type { Lib } from "./common";

/**
 * A plain-cdktf baseline: the same resource types and counts as the library's output, written
 * with the provider classes directly, with payloads (uploaded files, build contexts, user data)
 * taken from the library's own output so that both sides synthesize the same amount of data.
 */
export interface PlainBaseline {
  /** Reads what the baseline needs from the library's synthesized stack folder (untimed). */
  extract(stackDir: string): unknown;
  /** Builds the resources in `stack` (timed as construction). `workDir` is for build contexts. */
  build(stack: TerraformStack, payload: unknown, workDir: string): void;
}

/** One target platform of the library. */
export interface PlatformBench {
  /**
   * Loads what `create` needs besides the library (provider classes), before the clock starts:
   * import cost is measured on its own, and a platform's modules are loaded only when it runs.
   * @default - nothing to load
   */
  load?(): void;
  /** Creates the platform in the stack, large enough for every size of every topology. */
  create(lib: Lib, stack: TerraformStack): IPlatform;
  /** What the VIP pair needs on this platform: its virtual IP and how the VIP moves. */
  vipPair(lib: Lib): PlatformVipPairProps;
  /** Plain baselines by topology name, loaded only when used (they import provider classes). */
  readonly plain: Record<string, () => PlainBaseline>;
}

/** The platform-specific props of a VipPair. */
export type PlatformVipPairProps = Pick<VipPairProps, "virtualIp" | "addressMode">;

/** One topology with a size axis. */
export interface TopologyBench {
  /** What the size counts, for the table ("backends", "members", ...). */
  readonly sizeUnit: string;
  readonly sizes: readonly number[];
  /** Builds the topology on `platform`, created by `on`. */
  build(lib: Lib, platform: Construct, size: number, on: PlatformBench): void;
}

type AwsProviderModule = typeof import("@cdktf/provider-aws/lib/provider");
/** The AWS provider class, once `PLATFORMS.aws.load()` has loaded it. */
let awsProvider: AwsProviderModule["AwsProvider"] | undefined;

/** Library platforms under test. */
export const PLATFORMS: Record<string, PlatformBench> = {
  docker: {
    // A /16 holds 1000 backends; nothing is deployed, so the range is free to choose.
    create: (lib, stack) => new lib.DockerPlatform(stack, "local", { subnet: "10.0.0.0/16" }),
    // The platform's default mode (gratuitous ARP), with an address of the bridge network.
    vipPair: () => ({ virtualIp: "10.0.0.10" }),
    plain: {
      "vip-pair": () => (require("./plain-docker") as typeof import("./plain-docker")).dockerVipPairBaseline,
    },
  },
  aws: {
    load: () => {
      awsProvider = (require("@cdktf/provider-aws/lib/provider") as AwsProviderModule).AwsProvider;
    },
    create: (lib, stack) => {
      if (!awsProvider) throw new Error("bench: the aws platform's load() did not run");
      // As a user's stack has it (examples/vip-pair-aws.ts); credentials are never read at synth.
      new awsProvider(stack, "aws", {});
      // Zone subnets default to /20 (4091 hosts each): 1000 backends over two zones fit.
      return new lib.AwsPlatform(stack, "cloud", { vpcCidr: "10.40.0.0/16" });
    },
    // The mode that spans zones: a /32 route outside the VPC, pointed at the master.
    vipPair: (lib) => ({ addressMode: lib.FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" }),
    plain: {
      "vip-pair": () => (require("./plain-aws") as typeof import("./plain-aws")).awsVipPairBaseline,
    },
  },
};

/** Topologies under test, each with its size axis. */
export const TOPOLOGIES: Record<string, TopologyBench> = {
  "vip-pair": {
    sizeUnit: "backends",
    sizes: [10, 100, 1000],
    build: (lib, platform, size, on) => {
      const web = new lib.BackendPool(platform, "web", {
        replicas: size,
        port: 8080,
        healthCheck: lib.HealthCheck.http({ path: "/healthz" }),
      });
      new lib.VipPair(platform, "edge", { ...on.vipPair(lib), backends: web });
    },
  },
  "dns-pool": {
    sizeUnit: "members",
    sizes: [2, 8, 64],
    build: (lib, platform, size) => {
      const web = new lib.BackendPool(platform, "web", {
        replicas: 3,
        port: 8080,
        healthCheck: lib.HealthCheck.http({ path: "/healthz" }),
      });
      new lib.HealthCheckedDnsPool(platform, "www", {
        zone: "pool.example.test",
        backends: web,
        nodeCount: size,
        // Route 53 answers with at most 8 healthy addresses: beyond that, 8 picked at random.
        selection: size > 8 ? lib.DnsAnswerSelection.random(8) : lib.DnsAnswerSelection.all(),
        allUnhealthy: lib.AllUnhealthy.answerAll(),
      });
    },
  },
  "three-tier": {
    // Every L4 node lists every L7 node, and every L7 node every backend: the L7 count is the
    // axis, with backends fixed, so that the cost stays linear in the size (2 routers, 2 L4 nodes).
    sizeUnit: "L7 nodes (10 backends)",
    sizes: [2, 8, 32],
    build: (lib, platform, size) => {
      const web = new lib.BackendPool(platform, "web", {
        replicas: 10,
        port: 8080,
        healthCheck: lib.HealthCheck.http({ path: "/healthz" }),
      });
      new lib.ThreeTierLoadBalancer(platform, "edge", { backends: web, l7Nodes: size });
    },
  },
  "replicated-postgres": {
    // Odd sizes: etcd runs beside each node and needs an odd member count.
    sizeUnit: "nodes (etcd beside each)",
    sizes: [3, 5, 9],
    build: (lib, platform, size) => {
      new lib.ReplicatedPostgres(platform, "orders", { nodes: size });
    },
  },
};
