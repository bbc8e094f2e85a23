/**
 * A cloud-managed PostgreSQL a topology may ask for instead of running its own cluster, of one
 * of the kinds the platform lists in `traits.managedDatabases`. The platform makes it, opens it
 * to the traffic groups the topology names, and hands back its endpoints and the cloud's own
 * failover figures (with their sources) for the report.
 */
import type { FailureDomain, ManagedFailoverFigure } from "../model/availability";

/** The kinds of managed PostgreSQL. */
export enum ManagedDatabaseKind {
  /** One writer with a synchronous standby in another zone (not readable): RDS Multi-AZ DB instance. */
  MULTI_AZ_INSTANCE = "multi-az-instance",
  /** One writer and two readable standbys in three zones, semi-synchronous: RDS Multi-AZ DB cluster. */
  MULTI_AZ_CLUSTER = "multi-az-cluster",
  /** Aurora PostgreSQL: a writer and readers over one storage volume copied six ways over three zones. */
  AURORA = "aurora",
}

export interface ManagedDatabaseRequest {
  readonly kind: ManagedDatabaseKind;
  /** PostgreSQL major version, e.g. "16". */
  readonly engineVersion: string;
  /** e.g. "db.r6g.large"; the cloud's own name. */
  readonly instanceClass: string;
  /** Storage in GiB (not Aurora, whose storage grows by itself). */
  readonly storageGiB: number;
  /** Aurora: readers besides the writer, spread over the zones. */
  readonly readers: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly port: number;
  /** Traffic groups that may connect (on `port` only). */
  readonly clientTrafficGroups: readonly string[];
  /** The database's own traffic group. */
  readonly trafficGroup: string;
  /** Days of automated backups (point-in-time recovery), 1-35. */
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
}

export interface ManagedDatabaseBinding {
  /** The writer's DNS name (follows the writer through a failover). */
  readonly writerEndpoint: string;
  /** The readers' DNS name, where the kind has readable standbys or readers. */
  readonly readerEndpoint?: string;
  readonly port: number;
  /** The master user's password lives in Secrets Manager, managed by the database service. */
  readonly masterSecretArn: string;
  /** The failure domains it spans. */
  readonly failureDomains: readonly FailureDomain[];
  /** The service's name, for the report. */
  readonly service: string;
  /** The cloud's documented failover figures, each with its source. */
  readonly failover: readonly ManagedFailoverFigure[];
}
