import { type ErrorLocation, invalid } from "../errors";
import { assertIntegerInRange } from "./config-text";
import { ipv4ToInt, isIpv4 } from "./ipam";

/**
 * Guards for the values of BGP and BFD sessions (BIRD configs of routers and L4 nodes), in the
 * style of `config-text`: allow-lists that either accept a value as it is or throw a
 * ValidationError. An accepted value is a decimal number, a dotted quad or a BIRD symbol, so it
 * can neither end a BIRD statement (';'), open a block or a comment ('{', '#', '/*') nor leave
 * a quoted string.
 */

/** Largest 4-octet AS number (RFC 6793). */
export const MAX_ASN = 4_294_967_295;

/**
 * AS numbers no session may use: 0 (RFC 7607), AS_TRANS 23456 (RFC 6793: stands in for a
 * 4-octet AS number on 2-octet speakers), 65535 and 4294967295 (RFC 7300: reserved, last of
 * each range).
 */
const RESERVED_ASNS: ReadonlyMap<number, string> = new Map([
  [0, "AS 0 is reserved (RFC 7607)"],
  [23456, "AS 23456 is AS_TRANS (RFC 6793), never a real AS"],
  [65535, "AS 65535 is reserved (RFC 7300)"],
  [MAX_ASN, "AS 4294967295 is reserved (RFC 7300)"],
]);

/**
 * An AS number: 1 to 4294967295 without the reserved ones. Any public number is accepted (it may
 * be the user's own), but a topology that is not announced to the Internet should use a private
 * one (`isPrivateAsn`).
 */
export function assertAsn(where: ErrorLocation, what: string, value: number): number {
  const allowed =
    "use a whole number from 1 to 4294967295 other than 23456, 65535 and 4294967295; private numbers (64512-65534, 4200000000-4294967294) are recommended";
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_ASN) {
    invalid(where, what, value, allowed);
  }
  const reserved = RESERVED_ASNS.get(value);
  if (reserved !== undefined) invalid(where, what, value, `${reserved}; ${allowed}`);
  return value;
}

/** True for the private-use AS numbers of RFC 6996: 64512-65534 and 4200000000-4294967294. */
export function isPrivateAsn(value: number): boolean {
  return (value >= 64_512 && value <= 65_534) || (value >= 4_200_000_000 && value <= 4_294_967_294);
}

/**
 * A BGP router id: a non-zero 32-bit number in dotted-quad form (RFC 6286), strict decimal
 * (no leading zeros, which some parsers read as octal). It need not be an address of the host,
 * but it must be unique among the speakers that peer with each other.
 */
export function assertRouterId(where: ErrorLocation, what: string, value: string): string {
  if (
    typeof value !== "string" ||
    !/^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/.test(value) ||
    !isIpv4(value) ||
    ipv4ToInt(value) === 0
  ) {
    invalid(
      where,
      what,
      value,
      "use a non-zero dotted quad such as '198.18.0.1' (decimal, no leading zeros)",
    );
  }
  return value;
}

/**
 * A unicast IPv4 address in strict dotted-quad form, for BGP neighbors and session sources.
 * Refuses 0.0.0.0/8, loopback, link-local, multicast and 240.0.0.0/4 (broadcast included).
 */
export function assertUnicastIpv4(where: ErrorLocation, what: string, value: string): string {
  const allowed =
    "use a unicast IPv4 address in dotted-quad form such as '198.18.0.10' (not 0.x, 127.x, 169.254.x, multicast or 240.0.0.0/4)";
  if (typeof value !== "string" || !/^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/.test(value)) {
    invalid(where, what, value, allowed);
  }
  if (!isIpv4(value)) invalid(where, what, value, allowed);
  const first = ipv4ToInt(value) >>> 24;
  const second = (ipv4ToInt(value) >>> 16) & 255;
  if (first === 0 || first === 127 || first >= 224 || (first === 169 && second === 254)) {
    invalid(where, what, value, allowed);
  }
  return value;
}

/**
 * A service address announced by BGP: one unicast IPv4 address, given as "a.b.c.d" or
 * "a.b.c.d/32". Returns the address without the prefix length.
 */
export function assertServiceAddress(where: ErrorLocation, what: string, value: string): string {
  const address = typeof value === "string" && value.endsWith("/32") ? value.slice(0, -3) : value;
  try {
    return assertUnicastIpv4(where, what, address);
  } catch {
    return invalid(
      where,
      what,
      value,
      "use one unicast IPv4 address, as 'a.b.c.d' or 'a.b.c.d/32' (a service address is announced as a /32)",
    );
  }
}

/** The BFD timers of a session: how often each side sends, and how many lost packets mean down. */
export interface BfdTimers {
  /**
   * Desired transmit and required receive interval (`interval` in BIRD), in milliseconds.
   * The session is declared down after `intervalMs × multiplier` without a packet.
   */
  readonly intervalMs: number;
  /** Detect multiplier: packets missed in a row before the session is down. */
  readonly multiplier: number;
}

/** Shortest BFD interval accepted (BIRD: practical minimum values are tens of milliseconds). */
export const MIN_BFD_INTERVAL_MS = 10;
/** Longest BFD interval accepted: one minute (the protocol field holds up to 4294 s). */
export const MAX_BFD_INTERVAL_MS = 60_000;

/**
 * BFD timers: an interval of 10 ms to 60 s and a multiplier of 1 to 255 (RFC 5880: the Detect
 * Mult field is one octet and 0 is invalid). BIRD's parser checks neither: it accepts
 * `multiplier 256` (stored in one octet: 0) and `interval 0 ms`, so this guard is the only fence.
 */
export function assertBfdTimers(where: ErrorLocation, timers: BfdTimers): BfdTimers {
  assertIntegerInRange(where, "BFD intervalMs", timers.intervalMs, MIN_BFD_INTERVAL_MS, MAX_BFD_INTERVAL_MS);
  assertIntegerInRange(where, "BFD multiplier", timers.multiplier, 1, 255);
  return timers;
}

/** Time from the last BFD packet of a silent peer until the session is down. */
export function bfdDetectionTimeMs(timers: BfdTimers): number {
  return timers.intervalMs * timers.multiplier;
}

/** The timers of a BGP session (seconds: BGP's own unit). */
export interface BgpTimers {
  /** Hold time offered to the peer: 3 to 65535 seconds (RFC 4271; 0, no keepalives, is refused). */
  readonly holdTimeSeconds: number;
  /** Keepalive interval: 1 to half the hold time (BIRD refuses more than the hold time, warns above half). */
  readonly keepaliveSeconds: number;
  /** Wait after a failed connection attempt before the next one (`connect retry time`). */
  readonly connectRetrySeconds: number;
  /**
   * Wait after an error (the peer's hold timer, BFD down, a reset) before the session restarts,
   * doubled on each error in a row up to `errorWaitMaxSeconds` (`error wait time`).
   */
  readonly errorWaitMinSeconds: number;
  readonly errorWaitMaxSeconds: number;
}

/**
 * Hold time, keepalive, connect retry and error wait in the ranges BIRD and RFC 4271 allow
 * without a warning. A hold time of 0 (no keepalives, allowed by RFC 4271) is refused: BIRD then
 * refuses every keepalive time ("Keepalive time must be at most hold time"), and a session
 * without keepalives never notices a peer that is gone where BFD cannot see it.
 */
export function assertBgpTimers(where: ErrorLocation, timers: BgpTimers): BgpTimers {
  const hold = assertIntegerInRange(where, "BGP holdTimeSeconds", timers.holdTimeSeconds, 3, 65_535);
  // BIRD warns about a keepalive longer than half the hold time: one lost keepalive would expire it.
  assertIntegerInRange(where, "BGP keepaliveSeconds", timers.keepaliveSeconds, 1, Math.floor(hold / 2));
  assertIntegerInRange(where, "BGP connectRetrySeconds", timers.connectRetrySeconds, 1, 65_535);
  assertIntegerInRange(where, "BGP errorWaitMinSeconds", timers.errorWaitMinSeconds, 1, 65_535);
  assertIntegerInRange(
    where,
    "BGP errorWaitMaxSeconds",
    timers.errorWaitMaxSeconds,
    timers.errorWaitMinSeconds,
    65_535,
  );
  return timers;
}

/**
 * A name that becomes part of a BIRD symbol (a protocol name such as `l4_<name>`): letters,
 * digits and '_' only, at most 48 characters. Prefixed by the renderer, it can never be a BIRD
 * keyword.
 */
export function assertBirdName(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_]{1,48}$/.test(value)) {
    invalid(where, what, value, "use 1-48 letters, digits and '_'");
  }
  return value;
}

/** Throws when two of `values` are equal (after `key`), naming the second one. */
export function assertDistinct<T>(
  where: ErrorLocation,
  what: string,
  values: readonly T[],
  key: (value: T) => string = String,
): readonly T[] {
  const seen = new Set<string>();
  for (const value of values) {
    const k = key(value);
    if (seen.has(k)) invalid(where, what, value, `each ${what} must be different; this one appears twice`);
    seen.add(k);
  }
  return values;
}
