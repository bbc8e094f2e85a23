import { describe, expect, test } from "vitest";
import { registerCleanup, registeredCleanups } from "../../../lib/drill/core/cleanup-registry";

describe("cleanup registry", () => {
  test("holds a cleanup until its owner unregisters it, and installs exit handlers only meanwhile", () => {
    const before = process.listenerCount("SIGTERM");
    const unregister = registerCleanup("namespace hae-test", () => undefined);
    expect(registeredCleanups()).toContain("namespace hae-test");
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    unregister();
    expect(registeredCleanups()).not.toContain("namespace hae-test");
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});
