/**
 * How a Patroni cluster's primary waits for its replicas before it acknowledges a commit, and
 * what each choice promises about data loss (RPO) and write availability: one typed choice the
 * topology validates, the renderer turns into Patroni's `synchronous_mode` settings and the
 * predictions read.
 */
import { type ErrorLocation, invalid } from "../errors";

/** The kind of a replication mode. */
export type ReplicationKind = "asynchronous" | "synchronous" | "quorum";

/** A replication mode for Patroni 3.0's `synchronous_mode` settings. */
export class ReplicationMode {
  /**
   * Commits are acknowledged before any replica has them. Writes never wait for a replica; a
   * failover may lose the last commits, at most `maximum_lag_on_failover` bytes of WAL (a
   * replica further behind is not promoted).
   */
  public static asynchronous(options: { readonly maximumLagOnFailoverBytes?: number } = {}): ReplicationMode {
    return new ReplicationMode("asynchronous", false, 0, options.maximumLagOnFailoverBytes);
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
    /**
     * Asynchronous: the lag beyond which Patroni promotes no replica (`maximum_lag_on_failover`).
     * @default - Patroni's 1 MiB
     */
    public readonly maximumLagOnFailoverBytes?: number,
  ) {}

  /** Refuses what a cluster of `nodes` nodes cannot meet, naming `where`. */
  public check(where: ErrorLocation, nodes: number): void {
    const lag = this.maximumLagOnFailoverBytes;
    if (lag !== undefined && (!Number.isInteger(lag) || lag < 0 || lag > 2 ** 40)) {
      invalid(
        where,
        "replication maximumLagOnFailoverBytes",
        lag,
        "give a whole number of bytes from 0 to 1 TiB",
      );
    }
    if (this.kind === "asynchronous") return;
    const count = this.synchronousCount;
    const replicas = nodes - 1;
    if (!Number.isInteger(count) || count < 1) {
      invalid(
        where,
        "replication quorum count",
        count,
        "give a whole number of synchronous standbys, at least 1",
      );
    }
    if (count > replicas) {
      invalid(
        where,
        "replication quorum count",
        count,
        `give at most ${replicas}: the cluster has ${nodes} nodes, so ${replicas} replicas can be synchronous standbys`,
      );
    }
  }

  /** In words, for the report. */
  public describe(): string {
    if (this.kind === "asynchronous") {
      return `asynchronous (no replica promoted beyond ${this.maximumLagOnFailoverBytes ?? 1_048_576} bytes of lag)`;
    }
    const what =
      this.kind === "synchronous"
        ? "one synchronous standby"
        : `${this.synchronousCount} synchronous standbys`;
    return `${what}${this.strict ? ", strict (writes wait without one)" : " (asynchronous while none is left)"}`;
  }

  /** True when an acknowledged commit survives the loss of the primary. */
  public get losesNoAcknowledgedCommit(): boolean {
    return this.synchronousCount > 0;
  }
}
