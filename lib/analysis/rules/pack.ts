import { oneFailureDomain } from "./one-failure-domain";
import type { HaRule } from "./rule";
import { singlePointOfFailure } from "./single-point-of-failure";
import { vridClash } from "./vrid-clash";

/** The rules every stack's HA report runs, in the order their findings are listed. */
export const HA_RULE_PACK: readonly HaRule[] = [singlePointOfFailure, vridClash, oneFailureDomain];
