import { type ErrorLocation, invalid } from "../errors";
import { assertIpAddress } from "./dns-text";

/** What a health-checked DNS name answers when every member fails its check. */
export enum AllUnhealthyKind {
  /** Fail open: every member, as if all were healthy. */
  ANSWER_ALL = "all",
  /** Fail closed: no address (an empty NOERROR answer). */
  ANSWER_NONE = "none",
  /** Fixed addresses instead, such as a maintenance page. */
  FALLBACK = "fallback",
}

/**
 * The explicit choice of what a health-checked name answers when no member is healthy. There is
 * no default that fits every service, so a pool asks for one:
 *
 * ```ts
 * AllUnhealthy.answerAll()                 // fail open: a failing checker cannot take the service down
 * AllUnhealthy.answerNone()                // fail closed: clients get no address rather than a dead one
 * AllUnhealthy.fallback("198.18.0.99")     // a sorry server, or a pool elsewhere
 * ```
 *
 * Before a DNS server has run its first checks it answers in the same way (PowerDNS counts an
 * unrun check as failing), so the choice also decides the first answers after a restart.
 */
export class AllUnhealthy {
  /**
   * Fail open: answer with every member. When the checks fail because the checker, not the
   * members, is cut off, the service keeps working; when the members are really down, clients
   * get addresses that do not answer.
   */
  public static answerAll(): AllUnhealthy {
    return new AllUnhealthy(AllUnhealthyKind.ANSWER_ALL, []);
  }

  /**
   * Fail closed: answer with no address. Clients fail fast instead of timing out on dead
   * members; resolvers cache the empty answer for the zone's negative TTL.
   */
  public static answerNone(): AllUnhealthy {
    return new AllUnhealthy(AllUnhealthyKind.ANSWER_NONE, []);
  }

  /** Answer with these addresses (not health-checked) while every member is down. */
  public static fallback(...addresses: string[]): AllUnhealthy {
    return new AllUnhealthy(AllUnhealthyKind.FALLBACK, [...addresses]);
  }

  private constructor(
    public readonly kind: AllUnhealthyKind,
    /** FALLBACK: the addresses answered; otherwise empty. */
    public readonly addresses: readonly string[],
  ) {}

  /**
   * Throws a ValidationError at `where` if the choice cannot be rendered; returns the fallback
   * addresses in normal form (IPv6 compressed, lower case).
   */
  public validate(where: ErrorLocation): readonly string[] {
    if (this.kind !== AllUnhealthyKind.FALLBACK) return [];
    if (this.addresses.length === 0) {
      invalid(where, "AllUnhealthy.fallback addresses", this.addresses, "give at least one fallback address");
    }
    const normal = this.addresses.map((a) => assertIpAddress(where, "AllUnhealthy.fallback address", a));
    const duplicate = normal.find((a, i) => normal.indexOf(a) !== i);
    if (duplicate !== undefined) {
      invalid(where, "AllUnhealthy.fallback address", duplicate, "give each fallback address once");
    }
    return normal;
  }
}
