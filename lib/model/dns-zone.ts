import { type ErrorLocation, invalid } from "../errors";
import { assertDnsName } from "./dns-text";

/** Where a health-checked name's zone comes from. */
export enum DnsZoneKind {
  /** The platform makes the zone (PowerDNS servers on Docker, a Route 53 hosted zone on AWS). */
  CREATE = "create",
  /** A zone that exists already, by the platform's id (an AWS Route 53 hosted zone id). */
  EXISTING = "existing",
}

/** Options of a zone. */
export interface DnsZoneOptions {
  /**
   * Answer only inside the platform's network (AWS: a private hosted zone on the VPC). Public
   * zones on AWS need members with public addresses; private ones check members through
   * CloudWatch alarms instead of Route 53's outside checkers.
   * @default false on AWS; Docker's servers answer only on their networks either way
   */
  readonly private?: boolean;
}

/**
 * The DNS zone a health-checked name lives in.
 *
 * ```ts
 * DnsZone.create("pool.example.test")                       // made by the platform
 * DnsZone.create("pool.internal", { private: true })          // AWS: a private hosted zone on the VPC
 * DnsZone.existing("example.com", "Z0123456789ABCDEFGHIJ")    // AWS: a hosted zone you already have
 * ```
 */
export class DnsZone {
  public static create(name: string, options: DnsZoneOptions = {}): DnsZone {
    return new DnsZone(DnsZoneKind.CREATE, name, undefined, options.private ?? false);
  }

  public static existing(name: string, zoneId: string, options: DnsZoneOptions = {}): DnsZone {
    return new DnsZone(DnsZoneKind.EXISTING, name, zoneId, options.private ?? false);
  }

  private constructor(
    public readonly kind: DnsZoneKind,
    /** The zone's name as given (see `validate` for the normal form). */
    public readonly name: string,
    /** EXISTING: the platform's id of the zone. */
    public readonly zoneId: string | undefined,
    public readonly isPrivate: boolean,
  ) {}

  /** Throws a ValidationError at `where` for a malformed name or id; returns the name without a final dot, lower case. */
  public validate(where: ErrorLocation): string {
    const name = assertDnsName(where, "zone name", this.name).toLowerCase();
    if (this.kind === DnsZoneKind.EXISTING && !/^[A-Z0-9]{1,32}$/.test(this.zoneId ?? "")) {
      invalid(
        where,
        "zone id",
        this.zoneId,
        "use the hosted zone's id: 1-32 capital letters and digits, e.g. Z0123456789ABCDEFGHIJ",
      );
    }
    return name;
  }
}
