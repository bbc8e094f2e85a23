import { type ErrorLocation, invalid } from "../errors";
import { assertIntegerInRange } from "./config-text";

/** How a health-checked DNS name picks the members it answers with. */
export enum DnsAnswerSelectionKind {
  /** Every healthy member. */
  ALL = "all",
  /** A number of healthy members picked at random for each query. */
  RANDOM = "random",
  /** One healthy member picked by a hash of the client's address: the same one for a client. */
  HASHED = "hashed",
}

/** Most answers one selection may ask for (a UDP answer of 1000 A records is already too big). */
const MAX_ANSWERS = 64;

/**
 * How many healthy members one DNS answer holds and how they are picked.
 *
 * ```ts
 * DnsAnswerSelection.all()            // every healthy member: clients spread over all of them
 * DnsAnswerSelection.random(2)        // two healthy members, a different pair for each query
 * DnsAnswerSelection.hashedByClient() // one member per client (resolver), stable while healthy
 * ```
 */
export class DnsAnswerSelection {
  /**
   * Every healthy member in each answer. Clients that try the addresses in turn fail over by
   * themselves; answers grow with the pool.
   */
  public static all(): DnsAnswerSelection {
    return new DnsAnswerSelection(DnsAnswerSelectionKind.ALL, undefined);
  }

  /**
   * `count` healthy members picked at random for each query (all of them when fewer are healthy):
   * answers stay small in a big pool, and load still spreads over every member.
   */
  public static random(count: number): DnsAnswerSelection {
    return new DnsAnswerSelection(DnsAnswerSelectionKind.RANDOM, count);
  }

  /**
   * One healthy member chosen by a hash of the client's address (the resolver's, or the EDNS
   * client subnet where the server honours it): the same client keeps the same member while it is
   * healthy, for caches and sessions on the members.
   */
  public static hashedByClient(): DnsAnswerSelection {
    return new DnsAnswerSelection(DnsAnswerSelectionKind.HASHED, 1);
  }

  private constructor(
    public readonly kind: DnsAnswerSelectionKind,
    /** RANDOM: how many members an answer holds; HASHED: 1; ALL: undefined (as many as healthy). */
    public readonly count: number | undefined,
  ) {}

  /** Throws a ValidationError at `where` if this selection cannot be served. */
  public validate(where: ErrorLocation): void {
    if (this.kind === DnsAnswerSelectionKind.RANDOM) {
      assertIntegerInRange(where, "DnsAnswerSelection.random count", this.count as number, 1, MAX_ANSWERS);
    }
  }

  /** How many addresses an answer holds when `healthy` members pass their checks. */
  public answerSize(healthy: number): number {
    if (!Number.isInteger(healthy) || healthy < 0) {
      invalid("DnsAnswerSelection", "healthy member count", healthy, "use a whole number of 0 or more");
    }
    return this.count === undefined ? healthy : Math.min(this.count, healthy);
  }
}
