/**
 * Registers cdktf's resource matchers with vitest's `expect`. Use it as a vitest setup file:
 *
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ["cdktf-ha-topologies/testing/vitest"] } });
 * ```
 */
import { expect } from "vitest";
import { type CdktfMatchers, type ExpectLike, registerCdktfMatchers } from "./index";

registerCdktfMatchers(expect as unknown as ExpectLike);

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors vitest's own declaration
  interface Assertion<T = any> extends CdktfMatchers<T> {}
  interface AsymmetricMatchersContaining extends CdktfMatchers {}
}
