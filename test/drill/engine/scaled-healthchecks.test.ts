import { afterAll, describe, expect, test } from "vitest";
import { EngineError } from "../../../lib/drill/engine/engine-error";
import { parseEngineStack } from "../../../lib/drill/engine/engine-stack";
import { scaleHealthchecks } from "../../../lib/drill/engine/scaled-healthchecks";
import { synthesizeExample } from "./fixture";

const example = synthesizeExample();
afterAll(() => example.remove());

describe("scaleHealthchecks", () => {
  test("slows every healthcheck's interval, timeout and start period and creation's wait, nothing else", () => {
    // GIVEN the synthesized stack, whose containers all have a healthcheck
    const stack = parseEngineStack(example.document, example.stackFile);
    // WHEN its healthchecks are scaled by 5
    const slow = scaleHealthchecks(stack, 5);
    // THEN each duration is five times the stack's, and the test and retries are the stack's
    expect(slow.containers).toHaveLength(stack.containers.length);
    for (const [i, c] of slow.containers.entries()) {
      const before = stack.containers[i];
      const hc = before?.healthcheck;
      expect(hc).toBeDefined();
      expect(c.healthcheck).toEqual({
        test: hc?.test,
        retries: hc?.retries,
        intervalNs: (hc?.intervalNs ?? 0) * 5,
        timeoutNs: (hc?.timeoutNs ?? 0) * 5,
        startPeriodNs: (hc?.startPeriodNs ?? 0) * 5,
      });
      expect(c.waitTimeoutSeconds).toBe((before?.waitTimeoutSeconds ?? 0) * 5);
      expect({ ...c, healthcheck: undefined, waitTimeoutSeconds: 0 }).toEqual({
        ...before,
        healthcheck: undefined,
        waitTimeoutSeconds: 0,
      });
    }
    // AND the stack read is left as it was, and a scale of 1 changes nothing
    expect(stack.containers[0]?.healthcheck?.timeoutNs).toBe(1_000_000_000);
    expect(scaleHealthchecks(stack, 1)).toBe(stack);
  });

  test.each([0.5, 0, 101, Number.NaN])("throws for a scale of %s", (factor) => {
    const stack = parseEngineStack(example.document, example.stackFile);
    expect(() => scaleHealthchecks(stack, factor)).toThrow(EngineError);
    expect(() => scaleHealthchecks(stack, factor)).toThrow("1..100");
  });
});
