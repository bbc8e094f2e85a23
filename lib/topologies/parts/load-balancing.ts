import { assertHeaderName, assertName } from "../../model/config-text";

/** How the proxy speaks to clients and backends. */
export enum ProxyMode {
  /** HTTP: L7 checks, retries of idempotent requests, cookies, header hashing. */
  HTTP = "http",
  /** TCP: any protocol; connection-level balancing and retries. */
  TCP = "tcp",
}

/** A load-balancing algorithm. */
export class Balance {
  /** Each server in turn, weighted. */
  public static roundRobin(): Balance {
    return new Balance("roundrobin", false, false);
  }

  /** The server with the fewest open connections; best for long or uneven requests. */
  public static leastConnections(): Balance {
    return new Balance("leastconn", false, false);
  }

  /**
   * Power of two random choices: pick two servers at random, use the less loaded. Spreads load
   * well even when several independent balancers share the pool.
   */
  public static powerOfTwoChoices(): Balance {
    return new Balance("random(2)", false, false);
  }

  /** Consistent hashing on the client's source address: a client keeps its server. */
  public static consistentHashSource(): Balance {
    return new Balance("source", true, false);
  }

  /** Consistent hashing on a request header (HTTP mode only), e.g. a tenant or user id. */
  public static consistentHashHeader(header: string): Balance {
    return new Balance(`hdr(${header})`, true, true, header);
  }

  private constructor(
    /** The HAProxy `balance` argument. */
    public readonly algorithm: string,
    /** Uses consistent hashing (few keys move when a server leaves). */
    public readonly consistent: boolean,
    /** Needs HTTP mode. */
    public readonly httpOnly: boolean,
    private readonly header?: string,
  ) {}

  /** @internal */
  public _validate(where: string): void {
    if (this.header !== undefined) assertHeaderName(where, "hash header", this.header);
  }
}

/** Keeps a client on one backend across requests. */
export class Stickiness {
  /**
   * A cookie the proxy inserts naming the server (HTTP mode only). Falls back to the balancing
   * algorithm when the named server is down.
   */
  public static cookie(name = "SRVID"): Stickiness {
    return new Stickiness(name);
  }

  private constructor(public readonly cookieName: string) {}

  /** @internal */
  public _validate(where: string): void {
    assertName(where, "stickiness cookie name", this.cookieName);
  }
}
