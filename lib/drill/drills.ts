/**
 * The topology drills `ha-drill` knows. A new topology registers its drill by adding its
 * `TopologyDrill` here (from its own folder, `lib/drill/<topology>/`).
 */
import type { TopologyDrill } from "./core/topology-drill";
import { DNS_POOL_DRILL } from "./dns-pool/drill";
import { REPLICATED_POSTGRES_DRILL } from "./replicated-postgres/drill";
import { THREE_TIER_DRILL } from "./three-tier/drill";
import { VIP_PAIR_DRILL } from "./vip-pair/drill";

export const TOPOLOGY_DRILLS: readonly TopologyDrill[] = [
  VIP_PAIR_DRILL,
  DNS_POOL_DRILL,
  THREE_TIER_DRILL,
  REPLICATED_POSTGRES_DRILL,
];
