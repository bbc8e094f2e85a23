import type { App, TerraformStack } from "cdktf";
import { vipPairAws } from "./vip-pair-aws";
import { vipPairDocker } from "./vip-pair-docker";

/** Every example stack by its stack name (a contract: see DESIGN.md). */
export const EXAMPLES: Record<string, (app: App) => TerraformStack> = {
  "vip-pair-docker": (app) => vipPairDocker(app),
  "vip-pair-aws": (app) => vipPairAws(app),
  // The same topology on addresses from 198.18.0.0/15, for failover drills in network namespaces.
  "vip-pair-docker-drill": (app) =>
    vipPairDocker(app, "vip-pair-docker-drill", { subnet: "198.18.0.0/24", virtualIp: "198.18.0.10" }),
};
