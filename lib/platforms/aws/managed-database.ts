/**
 * Managed PostgreSQL on AWS: an RDS Multi-AZ DB instance, a Multi-AZ DB cluster, or Aurora
 * PostgreSQL with readers, over a subnet group of every zone. Safe defaults: the master password
 * generated and kept in Secrets Manager by RDS itself (`manage_master_user_password`: it never
 * appears in the configuration), storage encrypted, not publicly accessible, automated backups,
 * deletion protection and a final snapshot, and a security group open only to the client
 * traffic groups on the database port.
 */
import { Construct } from "constructs";
import { invalid } from "../../errors";
import type { ManagedFailoverFigure } from "../../model/availability";
import {
  type ManagedDatabaseBinding,
  ManagedDatabaseKind,
  type ManagedDatabaseRequest,
} from "../managed-database";
import { Traffic, TrafficSource } from "../traffic";
import type { AwsNetwork } from "./network";
import { aws } from "./provider-classes";
import type { AwsSecurityGroups } from "./security-groups";

export interface AwsManagedDatabaseContext {
  readonly network: AwsNetwork;
  readonly namePrefix: string;
  readonly securityGroups: AwsSecurityGroups;
}

const RDS_MULTI_AZ = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html";
const RDS_CLUSTER =
  "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts-failover.html";
const AURORA =
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html";

/** The cloud's documented figures for each kind (its upper figure as the recovery). */
export const MANAGED_DATABASE_FAILOVER: Record<
  ManagedDatabaseKind,
  { service: string; figures: ManagedFailoverFigure[] }
> = {
  [ManagedDatabaseKind.MULTI_AZ_INSTANCE]: {
    service: "Amazon RDS for PostgreSQL Multi-AZ DB instance",
    figures: [
      {
        fault: "primary-instance-failure",
        recoverySeconds: 120,
        description:
          "RDS fails over to the synchronous standby in another zone; AWS says failovers typically take 60-120 s, longer with large transactions or a long recovery",
        source: RDS_MULTI_AZ,
        dataLoss: { seconds: 0, description: "none: the standby is written synchronously" },
        failedRequests:
          "every connection is dropped; new ones fail until the endpoint's DNS name points at the new primary",
      },
    ],
  },
  [ManagedDatabaseKind.MULTI_AZ_CLUSTER]: {
    service: "Amazon RDS for PostgreSQL Multi-AZ DB cluster",
    figures: [
      {
        fault: "writer-failure",
        recoverySeconds: 35,
        description:
          "RDS promotes one of the two readable standbys; AWS says failovers are typically under 35 s, complete once both readers applied the writer's outstanding transactions",
        source: RDS_CLUSTER,
        dataLoss: {
          seconds: 0,
          description: "none: a commit waits for at least one reader (semi-synchronous)",
        },
        failedRequests: "connections to the writer endpoint are dropped; reads on the reader endpoint go on",
      },
    ],
  },
  [ManagedDatabaseKind.AURORA]: {
    service: "Amazon Aurora PostgreSQL",
    figures: [
      {
        fault: "writer-failure",
        recoverySeconds: 60,
        description:
          "Aurora promotes a reader (by promotion tier); AWS says service is typically restored in under 60 s, often under 30 s, when a reader exists",
        source: AURORA,
        dataLoss: {
          seconds: 0,
          description: "none: one storage volume, a write acknowledged by 4 of its 6 copies over three zones",
        },
        failedRequests: "connections to the writer are dropped; the cluster endpoint follows the new writer",
      },
    ],
  },
};

function checkRequest(scope: Construct, r: ManagedDatabaseRequest): void {
  if (!/^\d{2}(\.\d+)?$/.test(r.engineVersion)) {
    invalid(scope, "engineVersion", r.engineVersion, 'give a PostgreSQL version such as "16" or "16.4"');
  }
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(r.instanceClass)) {
    invalid(scope, "instanceClass", r.instanceClass, 'give an RDS instance class such as "db.r6g.large"');
  }
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(r.databaseName)) {
    invalid(
      scope,
      "databaseName",
      r.databaseName,
      "start with a letter; letters, digits and _ only, at most 63",
    );
  }
  if (
    !/^[A-Za-z][A-Za-z0-9_]{0,15}$/.test(r.masterUsername) ||
    r.masterUsername.toLowerCase() === "postgres"
  ) {
    invalid(
      scope,
      "masterUsername",
      r.masterUsername,
      'start with a letter; letters, digits and _, at most 16; not "postgres" (reserved by RDS)',
    );
  }
  if (!Number.isInteger(r.backupRetentionDays) || r.backupRetentionDays < 1 || r.backupRetentionDays > 35) {
    invalid(scope, "backupRetentionDays", r.backupRetentionDays, "give 1-35 days (0 would turn backups off)");
  }
  if (
    r.kind !== ManagedDatabaseKind.AURORA &&
    (!Number.isInteger(r.storageGiB) || r.storageGiB < 20 || r.storageGiB > 65_536)
  ) {
    invalid(scope, "storageGiB", r.storageGiB, "give 20-65536 GiB");
  }
  if (
    r.kind === ManagedDatabaseKind.AURORA &&
    (!Number.isInteger(r.readers) || r.readers < 1 || r.readers > 15)
  ) {
    invalid(
      scope,
      "readers",
      r.readers,
      "give 1-15 readers: without one, a writer's failure waits for a new instance",
    );
  }
  if (r.kind === ManagedDatabaseKind.MULTI_AZ_CLUSTER && r.readers !== 2) {
    invalid(scope, "readers", r.readers, "a Multi-AZ DB cluster has exactly two readable standbys: give 2");
  }
}

/** Makes the database under `parent`/`id` and opens it to its clients. */
export function awsManagedDatabase(
  context: AwsManagedDatabaseContext,
  parent: Construct,
  id: string,
  request: ManagedDatabaseRequest,
): ManagedDatabaseBinding {
  checkRequest(parent, request);
  const { zones } = context.network;
  if (request.kind !== ManagedDatabaseKind.MULTI_AZ_INSTANCE && zones.length < 3) {
    invalid(
      parent,
      "kind",
      request.kind,
      `spans three availability zones; the platform has ${zones.length} (set zoneCount: 3)`,
    );
  }
  const scope = new Construct(parent, id);
  const name = `${context.namePrefix}-${parent.node.id}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 50);
  const subnets = new (aws().DbSubnetGroup)(scope, "Subnets", {
    namePrefix: `${name}-`,
    subnetIds: zones.map((z) => z.subnetId),
  });
  const sg = context.securityGroups.groupFor(request.trafficGroup);
  for (const group of request.clientTrafficGroups) {
    context.securityGroups.allow(scope, {
      toGroup: request.trafficGroup,
      traffic: Traffic.tcp(request.port),
      from: TrafficSource.group({ trafficGroup: group }),
      description: "clients to PostgreSQL",
    });
  }
  const common = {
    port: request.port,
    dbSubnetGroupName: subnets.name,
    vpcSecurityGroupIds: [sg.id],
    manageMasterUserPassword: true,
    storageEncrypted: true,
    backupRetentionPeriod: request.backupRetentionDays,
    deletionProtection: request.deletionProtection,
    copyTagsToSnapshot: true,
    finalSnapshotIdentifier: `${name}-final`,
    tags: { Name: name },
  };
  const figures = MANAGED_DATABASE_FAILOVER[request.kind];
  const domains =
    request.kind === ManagedDatabaseKind.MULTI_AZ_INSTANCE ? zones.slice(0, 2) : zones.slice(0, 3);
  const bindingBase = {
    port: request.port,
    failureDomains: domains.map((z) => z.domain),
    service: figures.service,
    failover: figures.figures,
  };
  if (request.kind === ManagedDatabaseKind.MULTI_AZ_INSTANCE) {
    const db = new (aws().DbInstance)(scope, "Resource", {
      ...common,
      identifierPrefix: `${name}-`,
      engine: "postgres",
      engineVersion: request.engineVersion,
      instanceClass: request.instanceClass,
      allocatedStorage: request.storageGiB,
      storageType: "gp3",
      multiAz: true,
      publiclyAccessible: false,
      dbName: request.databaseName,
      username: request.masterUsername,
      autoMinorVersionUpgrade: true,
    });
    return {
      ...bindingBase,
      writerEndpoint: db.address,
      masterSecretArn: db.masterUserSecret.get(0).secretArn,
    };
  }
  const aurora = request.kind === ManagedDatabaseKind.AURORA;
  const cluster = new (aws().RdsCluster)(scope, "Resource", {
    ...common,
    clusterIdentifierPrefix: `${name}-`,
    engine: aurora ? "aurora-postgresql" : "postgres",
    engineVersion: request.engineVersion,
    databaseName: request.databaseName,
    masterUsername: request.masterUsername,
    ...(aurora
      ? {}
      : {
          dbClusterInstanceClass: request.instanceClass,
          allocatedStorage: request.storageGiB,
          storageType: "io1",
          iops: Math.max(1000, Math.min(request.storageGiB * 50, 256_000)),
        }),
  });
  if (aurora) {
    for (let i = 0; i <= request.readers; i++) {
      new (aws().RdsClusterInstance)(scope, `Instance${i}`, {
        clusterIdentifier: cluster.id,
        identifierPrefix: `${name}-${i}-`,
        engine: "aurora-postgresql",
        engineVersion: request.engineVersion,
        instanceClass: request.instanceClass,
        dbSubnetGroupName: subnets.name,
        availabilityZone: zones[i % zones.length]?.name,
        publiclyAccessible: false,
        // The writer (instance 0) first; readers promoted in the order they were made.
        promotionTier: Math.min(i, 15),
        autoMinorVersionUpgrade: true,
      });
    }
  }
  return {
    ...bindingBase,
    writerEndpoint: cluster.endpoint,
    readerEndpoint: cluster.readerEndpoint,
    masterSecretArn: cluster.masterUserSecret.get(0).secretArn,
  };
}
