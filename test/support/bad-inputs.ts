import { expect, test } from "vitest";
import { validationErrorOf } from "./errors";

/** One bad input a user can reasonably make, and the ValidationError it must raise. */
export interface BadInput {
  readonly name: string;
  /** Builds the construct with the bad input; must throw. */
  readonly build: () => unknown;
  /** The construct path the error names. */
  readonly path: string;
  /** The value it names. */
  readonly value: unknown;
  /** A part of what it says is allowed. */
  readonly allowed: string;
}

/**
 * One test per row: the input throws a ValidationError (never a plain Error from cdktf or
 * constructs) whose path, value and allowed text are those of the row.
 */
export function badInputTable(rows: readonly BadInput[]): void {
  test.each(rows)("throws a ValidationError for $name", (row) => {
    const error = validationErrorOf(row.build);
    expect(error.path).toBe(row.path);
    expect(error.value).toEqual(row.value);
    expect(error.allowed).toContain(row.allowed);
  });
}
