import { Instance } from "@cdktf/provider-aws/lib/instance";
import { describe, expect, test } from "vitest";
import { aws } from "../../../lib/platforms/aws/provider-classes";

describe("aws provider classes", () => {
  test("loads the provider's classes by deep path, once", () => {
    // GIVEN / WHEN
    const first = aws();

    // THEN the very classes of the deep modules, the same object on every call
    expect(first.Instance).toBe(Instance);
    expect(aws()).toBe(first);
    expect(Object.keys(first).length).toBeGreaterThan(20);
  });
});
