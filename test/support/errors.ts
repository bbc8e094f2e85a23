import { expect } from "vitest";
import { ValidationError } from "../../lib/errors";

/** The error `fn` throws; fails the test when it throws nothing. */
export function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error, but nothing was thrown");
}

/** The ValidationError `fn` throws; fails the test when it throws nothing or something else. */
export function validationErrorOf(fn: () => unknown): ValidationError {
  const error = caught(fn);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}
