// `npm run test:engine-vm`: the three tiers' drill stack deployed on a Docker engine inside a VM
// (test/deploy/docker-engine-vm.engine-vm.ts), apart from `npm test`. It takes about 5 minutes on
// a quiet machine, and beside the rest of the suite its emulated guest starves (13 minutes and a
// failed L4 kill in one run): run it with the machine to itself.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.mjs";

export default defineConfig({
  ...base,
  test: { ...base.test, include: ["test/deploy/docker-engine-vm.engine-vm.ts"] },
});
