import type { IdPoolSpec } from "./id-pool";

/**
 * BGP AS numbers a platform gives out to the tiers that peer by BGP: from the private 4-byte range
 * (RFC 6996), so that nothing the stack runs could collide with a public AS.
 */
export const BGP_ASNS: IdPoolSpec = {
  name: "bgp-asn",
  what: "routerAs / l4As",
  description: "BGP AS number",
  min: 1,
  max: 4_294_967_294,
  preferredFrom: 4_200_000_001,
};
