import { type App, TerraformStack } from "cdktf";
import { BackendPool, Balance, DockerPlatform, HealthCheck, VipPair } from "../lib";

export interface VipPairDockerOptions {
  /** Subnet of the Docker network. */
  readonly subnet: string;
  /** The VIP, inside the subnet. */
  readonly virtualIp: string;
}

/**
 * Two keepalived + HAProxy nodes sharing one VIP in front of three demo backends, on one
 * Docker host.
 */
export function vipPairDocker(
  app: App,
  name = "vip-pair-docker",
  options: VipPairDockerOptions = { subnet: "172.30.0.0/24", virtualIp: "172.30.0.10" },
): TerraformStack {
  const stack = new TerraformStack(app, name);
  const local = new DockerPlatform(stack, "local", { subnet: options.subnet });
  const web = new BackendPool(local, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new VipPair(local, "edge", {
    virtualIp: options.virtualIp,
    backends: web,
    balance: Balance.roundRobin(),
  });
  return stack;
}
