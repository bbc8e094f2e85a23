/**
 * How a Patroni cluster's primary waits for its replicas before it acknowledges a commit, and
 * what each choice promises about data loss (RPO) and write availability.
 */

/** The kind of a replication mode. */
export type ReplicationKind = "asynchronous" | "synchronous" | "quorum";

/** A replication mode for Patroni 3.0's `synchronous_mode` settings. */
export class ReplicationMode {
  /**
   * Commits are acknowledged before any replica has them. Writes never wait for a replica; a
   * failover may lose the last commits, at most `maximum_lag_on_failover` bytes of WAL (a
   * replica further behind is not promoted).
   */
  public static asynchronous(): ReplicationMode {
    return new ReplicationMode("asynchronous", false, 0);
  }

  /**
   * One synchronous standby (`synchronous_mode: true`): an acknowledged commit is on two nodes,
   * and Patroni promotes only that standby, so a failover loses no acknowledged commit. Not
   * strict: when no replica is left, the primary goes on alone (writes stay available, and a
   * later loss of the primary could lose what it committed alone). Strict
   * (`synchronous_mode_strict`): writes stop while no standby is healthy, so no commit is ever
   * acknowledged by one node only.
   */
  public static synchronous(options: { readonly strict?: boolean } = {}): ReplicationMode {
    return new ReplicationMode("synchronous", options.strict === true, 1);
  }

  /**
   * `count` synchronous standbys (`synchronous_node_count`): an acknowledged commit is on
   * `count` + 1 nodes, so `count` simultaneous node losses lose none. Patroni 3.0 names the
   * standbys in priority order ("N (a, b)" in `synchronous_standby_names`), not PostgreSQL's
   * ANY quorum; writes wait for the slowest of the `count`.
   */
  public static quorum(options: { readonly count: number; readonly strict?: boolean }): ReplicationMode {
    return new ReplicationMode("quorum", options.strict === true, options.count);
  }

  private constructor(
    public readonly kind: ReplicationKind,
    /** Writes stop while fewer than the required standbys are healthy. */
    public readonly strict: boolean,
    /** Synchronous standbys a commit waits for; 0 when asynchronous. */
    public readonly synchronousCount: number,
  ) {}

  /** True when an acknowledged commit survives the loss of the primary. */
  public get losesNoAcknowledgedCommit(): boolean {
    return this.synchronousCount > 0;
  }
}
