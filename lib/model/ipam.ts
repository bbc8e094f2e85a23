import * as ipaddr from "ipaddr.js";
import { type ErrorLocation, invalid } from "../errors";

/** An IPv4 address as a 32-bit unsigned integer. */
export function ipv4ToInt(address: string): number {
  const bytes = ipaddr.IPv4.parse(address).toByteArray();
  return (
    (((bytes[0] as number) << 24) |
      ((bytes[1] as number) << 16) |
      ((bytes[2] as number) << 8) |
      (bytes[3] as number)) >>>
    0
  );
}

/** The dotted-quad form of a 32-bit unsigned integer. */
export function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** True when `value` is an IPv4 address in strict dotted-quad form (four decimal parts). */
export function isIpv4(value: string): boolean {
  return typeof value === "string" && ipaddr.IPv4.isValidFourPartDecimal(value);
}

/** Parsed IPv4 network. */
export interface Ipv4Network {
  readonly cidr: string;
  readonly network: number;
  readonly prefixLength: number;
  readonly broadcast: number;
  /** Number of addresses in the range, network and broadcast included. */
  readonly size: number;
}

/** Parses `a.b.c.d/n`, requiring the host bits to be zero. */
export function parseIpv4Cidr(
  where: ErrorLocation,
  what: string,
  cidr: string,
  minPrefix = 8,
  maxPrefix = 30,
): Ipv4Network {
  const allowed = `use an IPv4 network in CIDR form with a prefix from /${minPrefix} to /${maxPrefix}, such as "172.30.0.0/24"`;
  // Strict decimal only: ipaddr.js reads "010.0.0.0" as octal (8.0.0.0), while the CIDR string
  // itself goes on to other tools unchanged, so a leading zero would make the two disagree.
  if (
    typeof cidr !== "string" ||
    !/^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}\/(?:0|[1-9]\d?)$/.test(cidr) ||
    !isIpv4(cidr.slice(0, cidr.indexOf("/")))
  )
    invalid(where, what, cidr, allowed);
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    return invalid(where, what, cidr, allowed);
  }
  const [address, prefixLength] = parsed;
  if (address.kind() !== "ipv4" || prefixLength < minPrefix || prefixLength > maxPrefix)
    invalid(where, what, cidr, allowed);
  const size = 2 ** (32 - prefixLength);
  const value = ipv4ToInt(address.toString());
  const network = value - (value % size);
  if (network !== value) {
    invalid(where, what, cidr, `host bits must be zero: use "${intToIpv4(network)}/${prefixLength}"`);
  }
  return { cidr, network, prefixLength, broadcast: network + size - 1, size };
}

/** True when `address` lies inside `net` (network and broadcast included). */
export function networkContains(net: Ipv4Network, address: string): boolean {
  if (!isIpv4(address)) return false;
  const value = ipv4ToInt(address);
  return value >= net.network && value <= net.broadcast;
}

/** A claim on one address of a segment, resolved when the segment allocates. */
export class AddressLease {
  /** @internal */
  public _address?: string;

  constructor(
    private readonly segment: AddressSegment,
    /** Who holds the lease: a construct path or another unique name. */
    public readonly owner: string,
    /** The address the owner asked for, if any. */
    public readonly requested?: string,
  ) {}

  /** The leased address. Reading it fixes every address of the segment that is still open. */
  public get address(): string {
    if (this._address === undefined) this.segment.allocate();
    return this._address as string;
  }
}

/**
 * An IPv4 address range with simple, deterministic IPAM.
 *
 * The network address, the broadcast address and the gateway (the first host address) are never
 * handed out. Addresses asked for explicitly (VIPs, pinned hosts) are reserved at once, so clashes
 * fail at the line that causes them; the others are given out lazily, in the order they were
 * asked for, from the lowest free address, so that constructs created later may still pin
 * addresses anywhere in the range.
 */
export class AddressSegment {
  public readonly net: Ipv4Network;
  /** The gateway address: the first host address of the range. */
  public readonly gateway: string;
  private readonly taken = new Map<number, string>();
  private readonly pending: AddressLease[] = [];
  private next: number;

  constructor(
    /** Where errors point (the construct that owns the segment). */
    public readonly where: ErrorLocation,
    cidr: string,
    /** Name of the segment in error messages and reports. */
    public readonly name: string,
  ) {
    this.net = parseIpv4Cidr(where, "subnet", cidr);
    this.gateway = intToIpv4(this.net.network + 1);
    this.next = this.net.network + 2;
  }

  public get cidr(): string {
    return this.net.cidr;
  }

  /** Host addresses that are neither network, broadcast nor gateway. */
  public get capacity(): number {
    return this.net.size - 3;
  }

  /** Host addresses still free (counting pending leases as used). */
  public get free(): number {
    return this.capacity - this.taken.size - this.pending.length;
  }

  public contains(address: string): boolean {
    return networkContains(this.net, address);
  }

  /**
   * Reserves `address` for `owner` now. Throws a ValidationError at `where` if it is not a
   * usable host address of this segment or is already taken.
   */
  public reserve(where: ErrorLocation, what: string, address: string, owner: string): void {
    if (!isIpv4(address)) invalid(where, what, address, `use an IPv4 address inside ${this.cidr}`);
    const value = ipv4ToInt(address);
    if (!this.contains(address)) {
      invalid(where, what, address, `use an address inside segment ${this.name} (${this.cidr})`);
    }
    if (value === this.net.network || value === this.net.broadcast) {
      invalid(where, what, address, `the network and broadcast addresses of ${this.cidr} cannot be used`);
    }
    if (address === this.gateway) {
      invalid(where, what, address, `${address} is the gateway of ${this.cidr}; use another address`);
    }
    const holder = this.taken.get(value);
    if (holder !== undefined) {
      invalid(
        where,
        what,
        address,
        `${address} is already used by ${holder}; use a free address of ${this.cidr}`,
      );
    }
    // Every free address may already be promised to a pending lease: taking one now would make the
    // lazy allocation fail later, at synthesis, far from the line that caused it.
    if (this.free <= 0) {
      invalid(
        where,
        what,
        address,
        `segment ${this.name} (${this.cidr}) has no free address left (the others are promised to earlier requests); use a larger subnet`,
      );
    }
    this.taken.set(value, owner);
  }

  /**
   * Asks for an address: `requested` is reserved at once, otherwise one is given out when the
   * first address of the segment is read.
   */
  public lease(where: ErrorLocation, owner: string, requested?: string): AddressLease {
    const lease = new AddressLease(this, owner, requested);
    if (requested !== undefined) {
      this.reserve(where, "address", requested, owner);
      lease._address = requested;
      return lease;
    }
    if (this.free <= 0) {
      invalid(
        where,
        "address request",
        owner,
        `segment ${this.name} (${this.cidr}) has no free address left; use a larger subnet`,
      );
    }
    this.pending.push(lease);
    return lease;
  }

  /** Gives every pending lease its address, lowest free address first, in request order. */
  public allocate(): void {
    while (this.pending.length > 0) {
      const lease = this.pending.shift() as AddressLease;
      while (this.taken.has(this.next)) this.next++;
      if (this.next >= this.net.broadcast) {
        throw invalid(
          this.where,
          "address request",
          lease.owner,
          `segment ${this.name} (${this.cidr}) is full`,
        );
      }
      this.taken.set(this.next, lease.owner);
      lease._address = intToIpv4(this.next);
    }
  }

  /** Every address in use and who holds it, sorted by address. */
  public get assignments(): Array<{ address: string; owner: string }> {
    this.allocate();
    return [...this.taken.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([v, owner]) => ({ address: intToIpv4(v), owner }));
  }
}
