/**
 * What the engine VM shares with its guest. Booting it and running the lab inside is the deploy
 * tier's test (test/deploy/docker-engine-vm.engine-vm.ts).
 */
import { describe, expect, test } from "vitest";
import { engineVmShares } from "../../../lib/drill/engine/engine-vm";

describe("engineVmShares", () => {
  test("shares each folder read-only at its own path, leaving out those inside another", () => {
    // GIVEN the archive folder, a stack folder inside the package, the package and a duplicate
    const shares = engineVmShares([
      "/root/.cache/ha/engine/archives",
      "/work/pkg/cdktf.out/stacks/x",
      "/work/pkg",
      "/work/pkg/",
    ]);
    // THEN the package covers the stack folder, and each share is read-only at its own path
    expect(shares).toEqual([
      {
        hostPath: "/root/.cache/ha/engine/archives",
        guestPath: "/root/.cache/ha/engine/archives",
        readOnly: true,
      },
      { hostPath: "/work/pkg", guestPath: "/work/pkg", readOnly: true },
    ]);
  });
});
