import { describe, expect, test } from "vitest";
import { DEFAULT_SECRET_LENGTH, MIN_SECRET_LENGTH, secretLength } from "../../lib/platforms/secret";
import { validationErrorOf } from "../support/errors";

describe("secretLength", () => {
  test("defaults to 32 characters, above the minimum of 24", () => {
    expect(secretLength("app/s", {})).toBe(DEFAULT_SECRET_LENGTH);
    expect(DEFAULT_SECRET_LENGTH).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH);
    expect(MIN_SECRET_LENGTH).toBe(24);
  });

  test.each([0, 23, 129, 24.5, Number.NaN])("throws for the length %s, naming path and range", (length) => {
    const error = validationErrorOf(() => secretLength("app/s", { length }));
    expect(error.path).toBe("app/s");
    expect(error.allowed).toBe("use a whole number from 24 to 128");
  });
});
