/** Which real engine deploys which drill stack (see engine-stacks.ts): every one, by exactly one. */
import { describe, expect, test } from "vitest";
import { EXAMPLES } from "../../examples";
import { HOST_ENGINE_STACKS, VM_ENGINE_STACKS } from "./engine-stacks";

describe("the real-engine tests' stacks", () => {
  test("the stacks that need a full kernel are the three tiers' drill stack, and every other drill stack runs on this machine's engine", () => {
    expect(VM_ENGINE_STACKS).toEqual(["three-tier-docker-drill"]);
    expect(HOST_ENGINE_STACKS).not.toContain("three-tier-docker-drill");
    const drills = Object.keys(EXAMPLES).filter((n) => n.endsWith("-docker-drill"));
    expect([...HOST_ENGINE_STACKS, ...VM_ENGINE_STACKS].sort()).toEqual(drills.sort());
    expect(HOST_ENGINE_STACKS.length).toBeGreaterThan(0);
  });
});
