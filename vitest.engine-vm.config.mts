// `npm run test:engine-vm`: the three tiers' drill stack deployed on a Docker engine inside a VM
// (test/deploy/docker-engine-vm.engine-vm.ts) alone; `npm test` runs it last in the VM tier's file.
import { defineConfig } from "vitest/config";
import { shared } from "./vitest.config.mjs";

export default defineConfig({
  test: { ...shared, include: ["test/deploy/docker-engine-vm.engine-vm.ts"] },
});
