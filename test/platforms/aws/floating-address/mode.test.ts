import { describe, expect, test } from "vitest";
import { FloatingAddressMode } from "../../../../lib";
import {
  MOVE_SECONDS,
  MOVER_PACKAGES,
  moverFiles,
} from "../../../../lib/platforms/aws/floating-address/mode";

describe("floating-address mode helpers", () => {
  test("ship one executable mover script per keepalived instance, with the packages it calls", () => {
    // GIVEN
    const request = { instance: "VI_7", mode: FloatingAddressMode.ELASTIC_IP };

    // WHEN
    const files = moverFiles(request, { kind: "elastic-ip", allocationId: "eipalloc-1" });

    // THEN
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: "/usr/local/sbin/ha-move-VI_7", executable: true });
    expect(files[0]?.content).toContain("eipalloc-1");
    expect(MOVER_PACKAGES).toEqual(["awscli", "util-linux"]);
    expect(MOVE_SECONDS.seconds).toBe(2);
  });
});
