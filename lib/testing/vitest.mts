/**
 * Registers cdktf's resource matchers with vitest's `expect` and declares them on vitest's
 * `Assertion`. An ES module, as vitest (3 and 4) can only be imported, not required.
 *
 * ```ts
 * // vitest.config.mjs
 * export default defineConfig({ test: { setupFiles: ["cdktf-ha-topologies/testing/vitest"] } });
 * // tsconfig.json: "types": ["cdktf-ha-topologies/testing/vitest"]
 * ```
 */
import { expect } from "vitest";
import { type CdktfMatchers, registerCdktfMatchers } from "./index.js";

registerCdktfMatchers(expect);

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors vitest's own declaration
  interface Assertion<T = any> extends CdktfMatchers<T> {}
  interface AsymmetricMatchersContaining extends CdktfMatchers {}
}
