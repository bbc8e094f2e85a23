/**
 * How the primary's commits wait for replicas, as a typed choice: each mode says what it costs
 * in data when the primary is lost (RPO) and what it does to writes when replicas are lost.
 * Patroni 3.0 (Debian bookworm) takes them as `synchronous_mode`, `synchronous_mode_strict` and
 * `synchronous_node_count`; PostgreSQL then waits for the first N named standbys (`FIRST N`).
 */
import type { ErrorLocation } from "../../errors";
import { invalid } from "../../errors";

export type ReplicationModeKind = "asynchronous" | "synchronous" | "quorum";

export class ReplicationMode {
  /**
   * Commits return when the primary has flushed them; replicas follow as fast as they can. A
   * failover may lose what they had not received (the lag; Patroni promotes no replica that lags
   * more than `maximumLagOnFailoverBytes`). Writes never wait for a replica.
   * @param maximumLagOnFailoverBytes - @default 1 MiB (Patroni's default)
   */
  public static asynchronous(options: { readonly maximumLagOnFailoverBytes?: number } = {}): ReplicationMode {
    return new ReplicationMode("asynchronous", 0, false, options.maximumLagOnFailoverBytes ?? 1024 * 1024);
  }

  /**
   * A commit returns when one synchronous standby has flushed it too, so the standby Patroni
   * promotes holds every acknowledged commit. Strict: with no standby left, writes wait (no
   * acknowledged write can be lost); not strict (the default): Patroni drops to asynchronous
   * until a standby is back, so writes go on and the RPO is the asynchronous one meanwhile.
   */
  public static synchronous(options: { readonly strict?: boolean } = {}): ReplicationMode {
    return new ReplicationMode("synchronous", 1, options.strict ?? false, 0);
  }

  /**
   * A commit waits for `count` synchronous standbys (Patroni's `synchronous_node_count`): the
   * cluster survives the loss of the primary and `count - 1` standbys with no acknowledged write
   * lost. Strict or not as `synchronous`.
   */
  public static quorum(options: { readonly count: number; readonly strict?: boolean }): ReplicationMode {
    return new ReplicationMode("quorum", options.count, options.strict ?? false, 0);
  }

  private constructor(
    public readonly kind: ReplicationModeKind,
    /** Synchronous standbys a commit waits for (0: none). */
    public readonly synchronousStandbys: number,
    /** Whether writes wait rather than go on without a synchronous standby. */
    public readonly strict: boolean,
    /** Asynchronous only: the lag beyond which a replica is not promoted. */
    public readonly maximumLagOnFailoverBytes: number,
  ) {}

  /** Refuses counts the cluster of `nodes` nodes cannot meet. */
  public check(where: ErrorLocation, nodes: number): void {
    if (this.kind === "asynchronous") {
      const lag = this.maximumLagOnFailoverBytes;
      if (!Number.isInteger(lag) || lag < 0 || lag > 2 ** 40) {
        invalid(
          where,
          "replication maximumLagOnFailoverBytes",
          lag,
          "give a whole number of bytes from 0 to 1 TiB",
        );
      }
      return;
    }
    const count = this.synchronousStandbys;
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

  /** Patroni's DCS settings for this mode. */
  public patroniSettings(): {
    readonly synchronous_mode: boolean;
    readonly synchronous_mode_strict: boolean;
    readonly synchronous_node_count?: number;
    readonly maximum_lag_on_failover?: number;
  } {
    if (this.kind === "asynchronous") {
      return {
        synchronous_mode: false,
        synchronous_mode_strict: false,
        maximum_lag_on_failover: this.maximumLagOnFailoverBytes,
      };
    }
    return {
      synchronous_mode: true,
      synchronous_mode_strict: this.strict,
      synchronous_node_count: this.synchronousStandbys,
    };
  }

  /** In words, for the report. */
  public describe(): string {
    if (this.kind === "asynchronous") {
      return `asynchronous (no replica promoted beyond ${this.maximumLagOnFailoverBytes} bytes of lag)`;
    }
    const what =
      this.kind === "synchronous"
        ? "one synchronous standby"
        : `${this.synchronousStandbys} synchronous standbys`;
    return `${what}${this.strict ? ", strict (writes wait without one)" : " (asynchronous while none is left)"}`;
  }
}
