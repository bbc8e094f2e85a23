import type { App, TerraformStack } from "cdktf";
import { dnsPoolAws } from "./dns-pool-aws";
import { dnsPoolDocker } from "./dns-pool-docker";
import { replicatedPostgresAws } from "./replicated-postgres-aws";
import { replicatedPostgresDocker } from "./replicated-postgres-docker";
import { threeTierAws } from "./three-tier-aws";
import { type ThreeTierDockerOptions, threeTierDocker } from "./three-tier-docker";
import { vipPairAws } from "./vip-pair-aws";
import { vipPairDocker } from "./vip-pair-docker";

/** The three tiers' drill stack's subnet and service address (198.18.0.0/15). */
export const THREE_TIER_DRILL: ThreeTierDockerOptions = {
  subnet: "198.18.7.0/24",
  serviceAddress: "198.18.207.10",
};

/** Every example stack by its stack name (a contract: see DESIGN.md). */
export const EXAMPLES: Record<string, (app: App) => TerraformStack> = {
  "vip-pair-docker": (app) => vipPairDocker(app),
  "vip-pair-aws": (app) => vipPairAws(app),
  // The same topology on addresses from 198.18.0.0/15, for failover drills in network namespaces.
  "vip-pair-docker-drill": (app) =>
    vipPairDocker(app, "vip-pair-docker-drill", { subnet: "198.18.0.0/24", virtualIp: "198.18.0.10" }),
  "dns-pool-docker": (app) => dnsPoolDocker(app),
  "dns-pool-aws": (app) => dnsPoolAws(app),
  "dns-pool-docker-drill": (app) => dnsPoolDocker(app, "dns-pool-docker-drill", { subnet: "198.18.1.0/24" }),
  "three-tier-docker": (app) => threeTierDocker(app),
  "three-tier-aws": (app) => threeTierAws(app),
  // The three tiers on drill addresses; its L4 nodes need IPVS, so it runs where the kernel has it.
  "three-tier-docker-drill": (app) => threeTierDocker(app, "three-tier-docker-drill", THREE_TIER_DRILL),
  "replicated-postgres-docker": (app) => replicatedPostgresDocker(app),
  "replicated-postgres-aws": (app) => replicatedPostgresAws(app),
  "replicated-postgres-docker-drill": (app) =>
    replicatedPostgresDocker(app, "replicated-postgres-docker-drill", { subnet: "198.18.8.0/24" }),
};
