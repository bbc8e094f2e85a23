/** The drill's address rule (198.18.0.0/15 unless allowed otherwise) and free addresses for clients. */
import { intToIpv4, ipv4ToInt, isIpv4, parseIpv4Cidr } from "../../model/ipam";
import { DrillError } from "./drill-error";
import type { DrillNetwork, DrillStack } from "./stack";

/** Addresses a drill may use unless told otherwise (RFC 2544 benchmarking range). */
export const DRILL_RANGE = "198.18.0.0/15";

/**
 * Throws unless every subnet of the stack lies inside `range` (the drill's addresses must not
 * collide with real networks), unless `allowAny` is set.
 */
export function checkDrillAddresses(stack: DrillStack, allowAny: boolean, range = DRILL_RANGE): void {
  if (allowAny) return;
  const allowed = parseIpv4Cidr("drill", "range", range, 1, 32);
  for (const n of stack.networks) {
    if (n.subnet.network < allowed.network || n.subnet.broadcast > allowed.broadcast) {
      throw new DrillError(
        `network ${n.key} uses ${n.subnet.cidr}, outside ${range}: synthesize the stack with addresses from ${range} (as the vip-pair-docker-drill example does), or pass --allow-any-addresses`,
      );
    }
  }
}

/** The highest host address of `net` that no container, gateway or extra address uses. */
export function freeAddress(net: DrillNetwork, used: Iterable<string>): string {
  const taken = new Set<number>([net.subnet.network, net.subnet.broadcast, ipv4ToInt(net.gateway)]);
  for (const a of used) if (isIpv4(a)) taken.add(ipv4ToInt(a));
  for (let v = net.subnet.broadcast - 1; v > net.subnet.network; v--) {
    if (!taken.has(v)) return intToIpv4(v);
  }
  throw new DrillError(`network ${net.key} (${net.subnet.cidr}) has no free address for the drill's client`);
}
