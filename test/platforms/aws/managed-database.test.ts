import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { AwsPlatform, DockerPlatform } from "../../../lib";
import {
  type ManagedDatabaseBinding,
  ManagedDatabaseKind,
  type ManagedDatabaseRequest,
} from "../../../lib/platforms/managed-database";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { checkWithTerraform, terraformTier } from "../../support/terraform";

const REQUEST: ManagedDatabaseRequest = {
  kind: ManagedDatabaseKind.MULTI_AZ_INSTANCE,
  engineVersion: "16",
  instanceClass: "db.r6g.large",
  storageGiB: 100,
  readers: 0,
  databaseName: "app",
  masterUsername: "admin_user",
  port: 5432,
  clientTrafficGroups: ["web"],
  trafficGroup: "db",
  backupRetentionDays: 7,
  deletionProtection: true,
};

function build(request: Partial<ManagedDatabaseRequest>) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud", { zoneCount: 3 });
  const binding: ManagedDatabaseBinding = cloud.addManagedDatabase(cloud, "Db", { ...REQUEST, ...request });
  return { stack, cloud, binding };
}

describe("managed PostgreSQL on AWS", () => {
  test("a Multi-AZ DB instance: password kept by RDS, encrypted, private, backed up, protected", () => {
    const { stack, binding } = build({});
    const json = synthJson(stack);
    const [db] = Object.values(resourcesOfType(json, "aws_db_instance"));
    expect(db).toMatchObject({
      engine: "postgres",
      multi_az: true,
      manage_master_user_password: true,
      storage_encrypted: true,
      publicly_accessible: false,
      backup_retention_period: 7,
      deletion_protection: true,
      port: 5432,
    });
    expect(db.password).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/"password"\s*:/);
    const [group] = Object.values(resourcesOfType(json, "aws_db_subnet_group"));
    expect(group.subnet_ids).toHaveLength(3);
    expect(binding.failover[0]).toMatchObject({
      recoverySeconds: 120,
      source: expect.stringContaining("docs.aws.amazon.com"),
    });
    expect(binding.failureDomains).toHaveLength(2);
    // Only the client group reaches the database, on its port.
    const ingress = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.description === "clients to PostgreSQL",
    );
    expect(ingress.map((r) => [r.from_port, r.to_port, r.ip_protocol])).toEqual([[5432, 5432, "tcp"]]);
    expect(ingress[0].cidr_ipv4).toBeUndefined();
  });

  test("a Multi-AZ DB cluster and Aurora with readers, each with a reader endpoint", () => {
    const cluster = build({ kind: ManagedDatabaseKind.MULTI_AZ_CLUSTER, readers: 2 });
    const [c] = Object.values(resourcesOfType(synthJson(cluster.stack), "aws_rds_cluster"));
    expect(c).toMatchObject({
      engine: "postgres",
      db_cluster_instance_class: "db.r6g.large",
      storage_type: "io1",
      manage_master_user_password: true,
    });
    expect(cluster.binding.readerEndpoint).toBeDefined();
    expect(cluster.binding.failover[0]?.recoverySeconds).toBe(35);

    const aurora = build({ kind: ManagedDatabaseKind.AURORA, readers: 2 });
    const json = synthJson(aurora.stack);
    const instances = Object.values(resourcesOfType(json, "aws_rds_cluster_instance"));
    expect(instances).toHaveLength(3);
    expect(instances.map((i) => i.promotion_tier)).toEqual([0, 1, 2]);
    expect(Object.values(resourcesOfType(json, "aws_rds_cluster"))[0]).toMatchObject({
      engine: "aurora-postgresql",
      storage_encrypted: true,
    });
  });

  test.each([
    [{ masterUsername: "postgres" }, "masterUsername"],
    [{ backupRetentionDays: 0 }, "backupRetentionDays"],
    [{ kind: ManagedDatabaseKind.AURORA, readers: 0 }, "readers"],
    [{ kind: ManagedDatabaseKind.MULTI_AZ_CLUSTER, readers: 1 }, "exactly two readable standbys"],
    [{ engineVersion: "sixteen" }, "engineVersion"],
    [{ storageGiB: 5 }, "storageGiB"],
  ])("refuses %j, naming the construct path", (bad, what) => {
    const e = caught(() => build(bad));
    expect(e.message).toContain("test/cloud");
    expect(e.message).toContain(what);
  });

  test("Docker has none, and says what to run instead", () => {
    const stack = new TerraformStack(Testing.app(), "d");
    const local = new DockerPlatform(stack, "local", { subnet: "198.18.4.0/24" });
    expect(local.traits.managedDatabases).toEqual([]);
    expect(caught(() => local.addManagedDatabase(local, "Db", REQUEST)).message).toContain(
      "Patroni and etcd",
    );
  });
});

const tier = terraformTier("terraform: managed PostgreSQL");
describe.runIf(tier)("managed PostgreSQL as Terraform reads it", () => {
  test.each([
    ManagedDatabaseKind.MULTI_AZ_INSTANCE,
    ManagedDatabaseKind.MULTI_AZ_CLUSTER,
    ManagedDatabaseKind.AURORA,
  ])(
    "%s validates against the mirror's AWS provider",
    (kind) => {
      const { stack } = build({ kind, readers: kind === ManagedDatabaseKind.MULTI_AZ_INSTANCE ? 0 : 2 });
      const verdict = checkWithTerraform(
        tier as Exclude<typeof tier, false>,
        JSON.parse(Testing.synth(stack, true)),
      );
      expect(verdict.diagnostics).toEqual([]);
      expect(verdict.valid).toBe(true);
    },
    300_000,
  );
});
