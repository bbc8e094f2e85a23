import { type App, TerraformStack } from "cdktf";
import {
  BackendPool,
  type BfdOptions,
  DockerPlatform,
  HealthCheck,
  ThreeTierLoadBalancer,
  type VrrpOptions,
} from "../lib";

export interface ThreeTierDockerOptions {
  /** Subnet of the Docker network. */
  readonly subnet: string;
  /** The service address: a /32 outside the subnet, routed by the routers to the L4 nodes. */
  readonly serviceAddress: string;
  /** The routers' gateway VRRP options. @default - the construct's (adverts every 100 ms) */
  readonly gateway?: VrrpOptions;
  /** BFD timers of the router-L4 sessions. @default - the construct's (100 ms × 3) */
  readonly bfd?: BfdOptions;
}

/**
 * Two BIRD routers (one holds the clients' gateway address by VRRP) spreading flows by ECMP over
 * two IPVS L4 nodes (Maglev, tunnelling to the L7 tier), two HAProxy L7 nodes and three demo
 * backends, on one Docker host whose kernel has IPVS and ipip.
 */
export function threeTierDocker(
  app: App,
  name = "three-tier-docker",
  options: ThreeTierDockerOptions = { subnet: "172.29.0.0/24", serviceAddress: "198.51.100.10" },
): TerraformStack {
  const stack = new TerraformStack(app, name);
  const local = new DockerPlatform(stack, "local", { subnet: options.subnet });
  const web = new BackendPool(local, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new ThreeTierLoadBalancer(local, "edge", {
    backends: web,
    serviceAddresses: [options.serviceAddress],
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.bfd ? { bfd: options.bfd } : {}),
  });
  return stack;
}
