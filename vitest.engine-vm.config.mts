// `npm run test:engine-vm`: the three tiers' drill stack deployed on a Docker engine inside a VM
// (test/deploy/docker-engine-vm.engine-vm.ts) alone; `npm test` runs it last in its serial file.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.mjs";

export default defineConfig({
  ...base,
  test: { ...base.test, include: ["test/deploy/docker-engine-vm.engine-vm.ts"] },
});
