/**
 * Which Docker drill stacks each real-engine test deploys: those whose containers need kernel
 * parts this machine's kernel lacks (IPVS with Maglev and ipip for the three tiers' L4 nodes)
 * go to the engine inside a VM (docker-engine-vm.engine-vm.ts, `npm run test:engine-vm`, apart
 * from `npm test`), the rest to the engine on this machine (docker-engine.test.ts). Every stack
 * is deployed by one of them.
 */
import { EXAMPLES } from "../../examples";

/** Stacks deployed on an engine inside a VM, with a full Debian kernel. */
export const NEEDS_FULL_KERNEL: ReadonlySet<string> = new Set(["three-tier-docker-drill"]);

/** Docker stacks on drill addresses only: never a 172.x stack on this machine. */
const DRILL_STACKS = Object.keys(EXAMPLES).filter((name) => name.endsWith("-docker-drill"));

/** The drill stacks the engine on this machine deploys. */
export const HOST_ENGINE_STACKS: readonly string[] = DRILL_STACKS.filter((n) => !NEEDS_FULL_KERNEL.has(n));

/** The drill stacks the engine in a VM deploys. */
export const VM_ENGINE_STACKS: readonly string[] = DRILL_STACKS.filter((n) => NEEDS_FULL_KERNEL.has(n));
