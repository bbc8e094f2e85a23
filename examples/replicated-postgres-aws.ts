import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack } from "cdktf";
import {
  AwsPlatform,
  BackendPool,
  DatabaseImplementation,
  HealthCheck,
  ManagedDatabaseKind,
  ReplicatedPostgres,
  ReplicationMode,
} from "../lib";

/**
 * Both ways to run a replicated PostgreSQL on AWS, for the application servers of one pool:
 * the self-managed Patroni cluster on EC2 (one node per zone, EBS volumes in each node's zone,
 * passwords in Secrets Manager read by exactly the nodes), and an RDS Multi-AZ DB cluster (one
 * writer and two readable standbys, its master password kept by RDS in Secrets Manager).
 */
export function replicatedPostgresAws(app: App, name = "replicated-postgres-aws"): TerraformStack {
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", {});
  const cloud = new AwsPlatform(stack, "cloud", { vpcCidr: "10.43.0.0/16", zoneCount: 3 });
  const servers = new BackendPool(cloud, "app", {
    replicas: 2,
    port: 8080,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  new ReplicatedPostgres(cloud, "orders", {
    replication: ReplicationMode.synchronous(),
    clients: [servers],
  });
  new ReplicatedPostgres(cloud, "reports", {
    implementation: DatabaseImplementation.managed(ManagedDatabaseKind.MULTI_AZ_CLUSTER),
    clients: [servers],
  });
  return stack;
}
