import type { Spread } from "../../model/placement";
import type { ReplicationMode } from "../../model/replication-mode";
import type { ManagedDatabaseKind } from "../../platforms/managed-database";
import type { ISegment } from "../../platforms/segment";
import type { ITrafficPeer } from "../../platforms/traffic";
import type { PatroniTiming, RouterCheckTiming } from "./patroni-timing";

/** Where the cluster's etcd members run. */
export class EtcdPlacement {
  /**
   * One etcd member on each PostgreSQL node: no more hosts, and the member count follows the
   * node count (which must then be odd). Losing a node loses a member with it.
   */
  public static colocated(): EtcdPlacement {
    return new EtcdPlacement(undefined);
  }

  /** `members` etcd hosts of their own (odd, at least 3): the DCS outlives any one database node. */
  public static separate(options: { readonly members?: number } = {}): EtcdPlacement {
    return new EtcdPlacement(options.members ?? 3);
  }

  private constructor(
    /** The members of their own, or undefined when colocated. */
    public readonly separateMembers: number | undefined,
  ) {}
}

/** The options of a managed database (see `DatabaseImplementation.managed`). */
export interface ManagedDatabaseOptions {
  /** PostgreSQL major version. @default "16" */
  readonly engineVersion?: string;
  /** @default "db.r6g.large" */
  readonly instanceClass?: string;
  /** GiB of storage (not Aurora, whose volume grows by itself). @default 100 */
  readonly storageGiB?: number;
  /** Aurora: readers besides the writer. @default 1 */
  readonly readers?: number;
  /** Days of automated backups (point-in-time recovery), 1-35. @default 7 */
  readonly backupRetentionDays?: number;
  /** @default true - a `terraform destroy` cannot drop the data by mistake */
  readonly deletionProtection?: boolean;
}

/** What runs the database: Patroni nodes of its own, or the cloud's managed PostgreSQL. */
export class DatabaseImplementation {
  /** PostgreSQL nodes managed by Patroni, etcd and HAProxy routers (every platform). */
  public static selfManaged(): DatabaseImplementation {
    return new DatabaseImplementation(undefined, {});
  }

  /** The cloud's managed PostgreSQL (AWS: RDS Multi-AZ instance or cluster, or Aurora). */
  public static managed(
    kind: ManagedDatabaseKind,
    options: ManagedDatabaseOptions = {},
  ): DatabaseImplementation {
    return new DatabaseImplementation(kind, options);
  }

  private constructor(
    /** The managed kind, or undefined for self-managed nodes. */
    public readonly managedKind: ManagedDatabaseKind | undefined,
    public readonly managedOptions: ManagedDatabaseOptions,
  ) {}
}

export interface ReplicatedPostgresProps {
  /**
   * Self-managed Patroni nodes, or a managed database.
   * @default DatabaseImplementation.selfManaged()
   */
  readonly implementation?: DatabaseImplementation;
  /**
   * Who may connect: to the routers' ports (self-managed) or to the database's port (managed).
   * @default - the platform's clients (self-managed); a managed database needs them given
   */
  readonly clients?: readonly ITrafficPeer[];
  /** The application's database. @default "app" */
  readonly databaseName?: string;
  /** The application's role, which owns the database; its password is a generated secret. @default "app" */
  readonly applicationUser?: string;
  /** PostgreSQL nodes, 2-9. @default 3 - a primary and two replicas, so a synchronous standby survives a node's loss */
  readonly nodes?: number;
  /**
   * How commits wait for replicas.
   * @default ReplicationMode.synchronous() - no acknowledged commit lost on a failover; writes
   * go on when the standby is lost (use `{ strict: true }` to stop them instead)
   */
  readonly replication?: ReplicationMode;
  /** @default EtcdPlacement.colocated() */
  readonly etcd?: EtcdPlacement;
  /** etcd's election timeout in ms (its heartbeat stays 100 ms). @default 1000 */
  readonly etcdElectionTimeoutMs?: number;
  /** Patroni's DCS timing. @default - ttl 8 s, loop_wait 1 s, retry_timeout 3 s */
  readonly patroni?: PatroniTiming;
  /** The routers' checks of Patroni's REST API. @default - every 1000 ms, fall 2, rise 1 */
  readonly routerChecks?: RouterCheckTiming;
  /** HAProxy routers in front of the nodes, 1-8. @default 2 */
  readonly routers?: number;
  /**
   * The routers share a floating address (the VIP pair's VRRP part), so that clients have one
   * address that outlives a router.
   * @default true with 2 or more routers
   */
  readonly floatingAddress?: boolean;
  /** The routers' read-write port (the primary). @default 5000 */
  readonly readWritePort?: number;
  /** The routers' read-only port (replicas within the lag bound). @default 5001 */
  readonly readOnlyPort?: number;
  /** The read-only port serves a replica at most this many bytes behind. @default 1048576 */
  readonly replicaMaxLagBytes?: number;
  /** @default 100 */
  readonly maxConnections?: number;
  /** GiB of each node's data volume (where the platform sizes volumes). @default 20 */
  readonly volumeSizeGiB?: number;
  /** @default - the platform's default segment */
  readonly segment?: ISegment;
  /**
   * How nodes, etcd members and routers spread over the failure domains.
   * @default Spread.even()
   */
  readonly spread?: Spread;
}

/** Props that configure the self-managed cluster, refused with a managed database. */
export const SELF_MANAGED_PROPS = [
  "nodes",
  "replication",
  "etcd",
  "etcdElectionTimeoutMs",
  "patroni",
  "routerChecks",
  "routers",
  "floatingAddress",
  "readWritePort",
  "readOnlyPort",
  "replicaMaxLagBytes",
  "maxConnections",
  "volumeSizeGiB",
  "spread",
] as const satisfies readonly (keyof ReplicatedPostgresProps)[];
