import { type ErrorLocation, invalid } from "../errors";
import type { FailureDomain } from "./availability";

/** How the members of a group are spread over a platform's failure domains. */
export enum SpreadKind {
  EVEN = "even",
  STRICT = "strict",
  TOGETHER = "together",
}

/**
 * A placement policy: which failure domain the member at a given index goes to.
 *
 * ```ts
 * Spread.even()    // zone a, b, c, a, b, ...: members may share a domain when there are fewer domains
 * Spread.strict()  // one member per domain; fails when there are fewer domains than members
 * Spread.together() // every member in the first domain (e.g. a VIP bound to one subnet)
 * ```
 */
export class Spread {
  /** Members in turn over the domains; several members share a domain when there are fewer domains. */
  public static even(): Spread {
    return new Spread(SpreadKind.EVEN);
  }

  /**
   * One member per failure domain: for quorum members (etcd) and replicas whose loss together
   * would lose data. Fails at the member that finds no domain of its own.
   */
  public static strict(): Spread {
    return new Spread(SpreadKind.STRICT);
  }

  /** Every member in the first failure domain, for what must share one (one subnet, one L2 segment). */
  public static together(): Spread {
    return new Spread(SpreadKind.TOGETHER);
  }

  private constructor(public readonly kind: SpreadKind) {}

  /**
   * The failure domain of the member at `index`. Throws a ValidationError at `where` when the
   * policy cannot place it.
   */
  public domainFor(
    where: ErrorLocation,
    what: string,
    index: number,
    domains: readonly FailureDomain[],
  ): FailureDomain {
    if (domains.length === 0)
      invalid(where, what, index, "the platform has no failure domain to place it in");
    if (this.kind === SpreadKind.TOGETHER) return domains[0] as FailureDomain;
    if (this.kind === SpreadKind.STRICT && index >= domains.length) {
      invalid(
        where,
        what,
        index + 1,
        `a strict spread puts one member in each failure domain, and the platform has ${domains.length} (${domains
          .map((d) => d.id)
          .join(", ")}): use at most ${domains.length} members, or more zones`,
      );
    }
    return domains[index % domains.length] as FailureDomain;
  }
}
