import * as ipaddr from "ipaddr.js";
import { type ErrorLocation, invalid } from "../errors";
import { assertIntegerInRange } from "./config-text";

/**
 * Guards for values that end up in DNS zone files and in the Lua code of PowerDNS LUA records,
 * in the style of `config-text`: allow-lists that either accept a value as it is or throw a
 * ValidationError. An accepted name or address holds only letters, digits, '-', '_', '.' and
 * (addresses) ':', so it can neither end a zone line, open a comment (';'), group lines ('(')
 * nor leave a quoted string.
 */

/** One DNS label: letters, digits, '-' and '_' (service labels), not starting or ending in '-'. */
const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;
/** Longest name in presentation form without the final dot (RFC 1035: 255 octets on the wire). */
const MAX_NAME_LENGTH = 253;
/** Longest TTL RFC 2181 allows (2^31 - 1 seconds). */
export const MAX_DNS_TTL_SECONDS = 2_147_483_647;

function labelsValid(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && name.split(".").every((label) => LABEL.test(label));
}

/**
 * A fully qualified domain name such as "pool.example.test" or "pool.example.test." (the final
 * dot optional). Returns the name without the final dot.
 */
export function assertDnsName(where: ErrorLocation, what: string, value: string): string {
  const name = typeof value === "string" && value.endsWith(".") ? value.slice(0, -1) : value;
  if (typeof name !== "string" || !name.includes(".") || !labelsValid(name)) {
    invalid(
      where,
      what,
      value,
      `use a domain name of two or more dot-separated labels (1-63 letters, digits, '-' or '_', not starting or ending with '-'), at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * A record name relative to its zone ("www", "api.v1"), or "@" for the zone's apex. Returns the
 * name as given.
 */
export function assertRelativeDnsName(where: ErrorLocation, what: string, value: string): string {
  if (value === "@") return value;
  if (typeof value !== "string" || value.endsWith(".") || !labelsValid(value)) {
    invalid(
      where,
      what,
      value,
      "use '@' or a name relative to the zone: dot-separated labels of 1-63 letters, digits, '-' or '_', not starting or ending with '-', without a final dot",
    );
  }
  return value;
}

/** Which address family an address belongs to. */
export type IpFamily = 4 | 6;

/**
 * An IPv4 address in dotted-quad form or an IPv6 address (no zone index, no brackets). Returns
 * the address in its normal form (IPv6 compressed and lower case), as DNS servers print it.
 */
export function assertIpAddress(where: ErrorLocation, what: string, value: string): string {
  if (typeof value === "string" && ipaddr.IPv4.isValidFourPartDecimal(value)) {
    return ipaddr.IPv4.parse(value).toString();
  }
  if (typeof value === "string" && /^[0-9A-Fa-f:.]{2,45}$/.test(value) && ipaddr.IPv6.isValid(value)) {
    return ipaddr.IPv6.parse(value).toString();
  }
  return invalid(
    where,
    what,
    value,
    "use an IPv4 address in dotted-quad form (e.g. '198.18.0.10') or an IPv6 address without brackets or zone index",
  );
}

/** The family of an address that passed `assertIpAddress`. */
export function ipFamily(address: string): IpFamily {
  return address.includes(":") ? 6 : 4;
}

/** A record TTL in seconds, from 0 to `max` (at most RFC 2181's 2^31 - 1). */
export function assertDnsTtl(
  where: ErrorLocation,
  what: string,
  value: number,
  max = MAX_DNS_TTL_SECONDS,
): number {
  return assertIntegerInRange(where, what, value, 0, Math.min(max, MAX_DNS_TTL_SECONDS));
}
