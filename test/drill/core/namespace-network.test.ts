import { describe, expect, test } from "vitest";
import { macOf } from "../../../lib/drill/core/namespace-network";

describe("macOf", () => {
  test.each([
    ["198.18.0.5", "02:42:c6:12:00:05"],
    ["198.19.255.254", "02:42:c6:13:ff:fe"],
  ])("gives %s Docker's address-derived MAC %s", (address, mac) => {
    // GIVEN an attachment's address
    // WHEN its MAC is derived
    // THEN it is 02:42 and the address's bytes, the same after every restart
    expect(macOf(address)).toBe(mac);
  });
});
