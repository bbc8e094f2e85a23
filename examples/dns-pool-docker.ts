import { type App, TerraformStack } from "cdktf";
import { AllUnhealthy, BackendPool, DockerPlatform, HealthCheck, HealthCheckedDnsPool } from "../lib";

export interface DnsPoolDockerOptions {
  /** Subnet of the Docker network. */
  readonly subnet: string;
}

/**
 * Three HAProxy nodes, each with its own address, behind one health-checked name
 * (`www.pool.example.test`) served by two PowerDNS servers, in front of three demo backends on
 * one Docker host. The name fails open: if every node fails its check, it answers with all of them.
 */
export function dnsPoolDocker(
  app: App,
  name = "dns-pool-docker",
  options: DnsPoolDockerOptions = { subnet: "172.31.0.0/24" },
): TerraformStack {
  const stack = new TerraformStack(app, name);
  const local = new DockerPlatform(stack, "local", { subnet: options.subnet });
  const web = new BackendPool(local, "web", {
    replicas: 3,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new HealthCheckedDnsPool(local, "www", {
    zone: "pool.example.test",
    backends: web,
    nodeCount: 3,
    allUnhealthy: AllUnhealthy.answerAll(),
  });
  return stack;
}
