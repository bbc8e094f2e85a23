import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AwsPlatform,
  BackendPool,
  DatabaseImplementation,
  DockerPlatform,
  EtcdPlacement,
  ManagedDatabaseKind,
  ReplicatedPostgres,
  type ReplicatedPostgresProps,
  ReplicationMode,
  Spread,
} from "../../../lib";
import { haReport, resourcesOfType, synthJson, synthWithValidations } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";

type Container = {
  hostname: string;
  upload: { file: string; content: string; executable?: boolean }[];
  mounts?: { target: string; type: string }[];
  env?: string[];
};

function docker(props: ReplicatedPostgresProps = {}) {
  const stack = new TerraformStack(Testing.app(), "s");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.8.0/24" });
  const db = new ReplicatedPostgres(platform, "orders", props);
  return { stack, platform, db };
}

function containers(stack: TerraformStack): Container[] {
  return Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Container[];
}

function file(stack: TerraformStack, hostname: string, path: string): string {
  const c = containers(stack).find((x) => x.hostname === hostname);
  const u = c?.upload.find((x) => x.file === path);
  if (!u) throw new Error(`${hostname} has no ${path}`);
  return u.content;
}

function aws(props: ReplicatedPostgresProps = {}, zoneCount = 3) {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const platform = new AwsPlatform(stack, "cloud", { vpcCidr: "10.43.0.0/16", zoneCount });
  const app = new BackendPool(platform, "app", { replicas: 1 });
  const db = new ReplicatedPostgres(platform, "orders", { clients: [app], ...props });
  return { stack, platform, db, app };
}

describe("ReplicatedPostgres on Docker", () => {
  test("makes 3 Patroni nodes with etcd beside each and 2 routers sharing a VRRP address", () => {
    const { stack, db } = docker();
    synthWithValidations(stack);
    expect(containers(stack).map((c) => c.hostname)).toEqual([
      "orders-pg-0",
      "orders-pg-1",
      "orders-pg-2",
      "orders-router-0",
      "orders-router-1",
    ]);
    expect(db.readWriteAddress).toBe("198.18.8.2");
    expect([db.readWritePort, db.readOnlyPort]).toEqual([5000, 5001]);
    expect(db.etcdMembers).toEqual([]);
    // Each node's patroni.yml has its own address; etcd's initial cluster lists all three.
    const yml = file(stack, "orders-pg-1", "/etc/patroni/patroni.yml");
    expect(yml).toContain('listen: "198.18.8.4:8008"');
    expect(yml).toContain('connect_address: "198.18.8.4:5432"');
    expect(yml).toContain("synchronous_mode: true");
    expect(yml).toContain('post_init: "/usr/local/sbin/ha-postgres-post-init"');
    expect(file(stack, "orders-pg-1", "/etc/etcd/etcd.yml")).toContain(
      "orders-pg-0=http://198.18.8.3:2380,orders-pg-1=http://198.18.8.4:2380,orders-pg-2=http://198.18.8.5:2380",
    );
    // The routers check Patroni's REST API and bind the shared address too.
    const cfg = file(stack, "orders-router-0", "/etc/haproxy/haproxy.cfg");
    expect(cfg).toContain("bind 198.18.8.2:5000");
    expect(cfg).toContain("http-check send meth GET uri /primary");
    expect(cfg).toContain("http-check send meth GET uri /replica?lag=1048576");
    expect(file(stack, "orders-router-0", "/etc/keepalived/keepalived.conf")).toContain(
      "track_file {\n        haproxy_down",
    );
    expect(file(stack, "orders-router-0", "/usr/local/sbin/ha-claim-VI_51")).toContain("198.18.8.2");
  });

  test("pg_hba admits only the nodes and the routers, each by its own /32", () => {
    const { stack } = docker();
    const yml = file(stack, "orders-pg-0", "/etc/patroni/patroni.yml");
    const hosts = [...yml.matchAll(/"host (all|replication) \S+ (\S+) scram-sha-256"/g)].map((m) => m[2]);
    expect(new Set(hosts)).toEqual(
      new Set([
        "127.0.0.1/32",
        "198.18.8.3/32",
        "198.18.8.4/32",
        "198.18.8.5/32",
        "198.18.8.6/32",
        "198.18.8.7/32",
      ]),
    );
    expect(yml).not.toMatch(/trust|0\.0\.0\.0\/0|198\.18\.8\.0\/24/);
  });

  test("data on volumes; four generated passwords reach the nodes as files, never in clear", () => {
    const { stack } = docker();
    const json = synthJson(stack);
    const passwords = resourcesOfType(json, "random_password");
    expect(Object.keys(passwords)).toHaveLength(4);
    const node = containers(stack).find((c) => c.hostname === "orders-pg-0") as Container;
    expect(node.mounts?.map((m) => m.target).sort()).toEqual(["/var/lib/etcd", "/var/lib/postgresql/ha"]);
    const secrets = node.upload.filter((u) => u.file.startsWith("/etc/patroni/secrets/"));
    expect(secrets.map((u) => u.file).sort()).toEqual([
      "/etc/patroni/secrets/application",
      "/etc/patroni/secrets/replication",
      "/etc/patroni/secrets/rewind",
      "/etc/patroni/secrets/superuser",
    ]);
    for (const s of secrets) expect(s.content).toMatch(/^\$\{random_password\.[A-Za-z0-9_]+\.result\}$/);
    expect(node.env ?? []).not.toContainEqual(expect.stringMatching(/PASS/i));
    // No file but the secret files refers to a password.
    for (const u of node.upload.filter((x) => !x.file.startsWith("/etc/patroni/secrets/"))) {
      expect(u.content, u.file).not.toContain("random_password");
    }
  });

  test("separate etcd members: their own hosts, the nodes start after them", () => {
    const { stack, db } = docker({
      nodes: 2,
      etcd: EtcdPlacement.separate(),
      replication: ReplicationMode.asynchronous(),
    });
    expect(db.etcdMembers.map((h) => h.hostname)).toEqual([
      "orders-etcd-0",
      "orders-etcd-1",
      "orders-etcd-2",
    ]);
    const etcdAddresses = db.etcdMembers.map((h) => `"${h.address}:2379"`);
    for (const a of etcdAddresses)
      expect(file(stack, "orders-pg-0", "/etc/patroni/patroni.yml")).toContain(a);
    expect(
      containers(stack)
        .find((c) => c.hostname === "orders-pg-0")
        ?.upload.map((u) => u.file),
    ).not.toContain("/etc/etcd/etcd.yml");
  });

  test("the report: a DCS group needing a majority, the nodes depending on it, the routers on the nodes", () => {
    const { stack } = docker();
    const report = haReport(stack);
    const groups = Object.fromEntries(report.redundancyGroups.map((g) => [g.role, g]));
    expect(groups.dcs?.minimumHealthy).toBe(2);
    expect(groups.database?.dependsOn).toEqual([groups.dcs?.id]);
    expect(groups["database-router"]?.dependsOn).toEqual([groups.database?.id]);
    const faults = groups.database?.predictions.map((p) => p.fault);
    expect(faults).toContain("primary-loss");
    const primaryLoss = groups.database?.predictions.find((p) => p.fault === "primary-loss");
    expect(primaryLoss?.recoverySeconds).toBeLessThan(15);
    // Synchronous: none lost while a standby is up; the worst case (every standby already gone) is the lag.
    expect(primaryLoss?.dataLossModes?.[0]).toMatchObject({ mode: "synchronous", seconds: 0 });
    expect(groups["database-router"]?.predictions.map((p) => p.fault)).toEqual(["router-loss"]);
    expect(report.floatingAddresses.map((f) => [f.address, f.listenerPorts])).toEqual([
      ["198.18.8.2", [5000, 5001]],
    ]);
  });

  test.each<[string, ReplicatedPostgresProps, string]>([
    ["an even colocated etcd", { nodes: 4 }, "nodes (etcd colocated)"],
    ["an even separate etcd", { etcd: EtcdPlacement.separate({ members: 4 }) }, "etcd members"],
    ["more synchronous standbys than replicas", { replication: ReplicationMode.quorum({ count: 3 }) }, "3"],
    ["a floating address with one router", { routers: 1, floatingAddress: true }, "floatingAddress"],
    ["clashing ports", { readWritePort: 5001 }, "readWritePort / readOnlyPort"],
    ["the router's health port", { readOnlyPort: 8405 }, "8405"],
    ["the superuser as the application's role", { applicationUser: "postgres" }, "applicationUser"],
    ["a database name that needs quoting", { databaseName: "Orders; DROP" }, "databaseName"],
    ["one node", { nodes: 1 }, "nodes"],
    [
      "a ttl Patroni's rule refuses",
      { patroni: { ttlSeconds: 5, loopWaitSeconds: 2, retryTimeoutSeconds: 3 } },
      "ttlSeconds",
    ],
    [
      "managed-only options on a managed database",
      { implementation: DatabaseImplementation.managed(ManagedDatabaseKind.AURORA), nodes: 3 },
      "nodes",
    ],
  ])("refuses %s, naming the construct path", (_what, props, named) => {
    const e = validationErrorOf(() => docker(props));
    expect(e.message).toContain("s/local/orders");
    expect(e.message).toContain(named);
  });

  test("refuses a managed database on Docker", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new DockerPlatform(stack, "local", { subnet: "198.18.8.0/24" });
    const app = new BackendPool(platform, "app", { replicas: 1 });
    const e = validationErrorOf(
      () =>
        new ReplicatedPostgres(platform, "orders", {
          implementation: DatabaseImplementation.managed(ManagedDatabaseKind.MULTI_AZ_INSTANCE),
          clients: [app],
        }),
    );
    expect(e.message).toContain("s/local/orders");
  });
});

describe("ReplicatedPostgres on AWS", () => {
  test("self-managed: one node per zone, an EBS volume in each node's zone, secrets read by the nodes only", () => {
    const { stack, db } = aws();
    const json = synthJson(stack);
    const nodes = db.nodes.map((n) => n.failureDomain.id);
    expect(new Set(nodes).size).toBe(3);
    const volumes = Object.values(resourcesOfType(json, "aws_ebs_volume")) as { encrypted: boolean }[];
    expect(volumes).toHaveLength(6); // PostgreSQL and etcd data on each node
    for (const v of volumes) expect(v.encrypted).toBe(true);
    expect(Object.keys(resourcesOfType(json, "aws_secretsmanager_secret"))).toHaveLength(4);
    const policies = Object.values(resourcesOfType(json, "aws_iam_role_policy")) as {
      policy: string;
      role: string;
    }[];
    const reads = policies.filter((p) => p.policy.includes("secretsmanager:GetSecretValue"));
    expect(reads).toHaveLength(4);
    for (const p of reads) {
      expect(p.policy).not.toContain('"*"');
      expect(p.role).toMatch(/orders-Nodes|orders_Nodes/);
    }
    // Generated by Secrets Manager at deploy, not by the random provider.
    expect(resourcesOfType(json, "random_password")).toEqual({});
  });

  test("refuses every node in one zone when there are several", () => {
    const e = validationErrorOf(() => aws({ spread: Spread.together() }));
    expect(e.message).toContain("orders");
    expect(e.message).toContain("failure domains");
  });

  test.each([
    [ManagedDatabaseKind.MULTI_AZ_INSTANCE, "aws_db_instance", undefined],
    [ManagedDatabaseKind.MULTI_AZ_CLUSTER, "aws_rds_cluster", "reader"],
    [ManagedDatabaseKind.AURORA, "aws_rds_cluster", "reader"],
  ])(
    "managed %s: the cloud's database for the clients, its failover figures in the report",
    (kind, type, reader) => {
      const { stack, db } = aws({ implementation: DatabaseImplementation.managed(kind) });
      expect(Object.keys(resourcesOfType(synthJson(stack), type))).toHaveLength(1);
      expect(db.nodes).toEqual([]);
      expect(db.readWritePort).toBe(5432);
      expect(db.readOnlyAddress === undefined).toBe(reader === undefined);
      const managed = haReport(stack).managedComponents;
      expect(managed).toHaveLength(1);
      expect(managed[0]?.failover.length).toBeGreaterThan(0);
    },
  );

  test("a managed database needs its clients; readers only on Aurora", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const platform = new AwsPlatform(stack, "cloud", { vpcCidr: "10.43.0.0/16", zoneCount: 3 });
    expect(
      validationErrorOf(
        () =>
          new ReplicatedPostgres(platform, "a", {
            implementation: DatabaseImplementation.managed(ManagedDatabaseKind.AURORA),
          }),
      ).message,
    ).toContain("clients");
    const app = new BackendPool(platform, "app", { replicas: 1 });
    expect(
      validationErrorOf(
        () =>
          new ReplicatedPostgres(platform, "b", {
            implementation: DatabaseImplementation.managed(ManagedDatabaseKind.MULTI_AZ_INSTANCE, {
              readers: 1,
            }),
            clients: [app],
          }),
      ).message,
    ).toContain("only Aurora takes readers");
  });
});
