import { type App, TerraformStack } from "cdktf";
import { DockerPlatform, ReplicatedPostgres, ReplicationMode } from "../lib";

export interface ReplicatedPostgresDockerOptions {
  /** Subnet of the Docker network. */
  readonly subnet: string;
}

/**
 * Three PostgreSQL 15 nodes managed by Patroni, each with an etcd member beside it, in
 * synchronous mode (no acknowledged commit lost on a failover), and two HAProxy routers sharing
 * a VRRP address: port 5000 writes to the primary, 5001 reads from the replicas. Passwords are
 * generated at deploy time (random_password) and reach the nodes as files.
 */
export function replicatedPostgresDocker(
  app: App,
  name = "replicated-postgres-docker",
  options: ReplicatedPostgresDockerOptions = { subnet: "172.30.0.0/24" },
): TerraformStack {
  const stack = new TerraformStack(app, name);
  const local = new DockerPlatform(stack, "local", { subnet: options.subnet });
  new ReplicatedPostgres(local, "orders", { replication: ReplicationMode.synchronous() });
  return stack;
}
