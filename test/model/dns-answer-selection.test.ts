import { describe, expect, test } from "vitest";
import { DnsAnswerSelection, DnsAnswerSelectionKind } from "../../lib/model/dns-answer-selection";
import { validationErrorOf } from "../support/errors";

describe("DnsAnswerSelection", () => {
  test.each([
    ["all", DnsAnswerSelection.all(), DnsAnswerSelectionKind.ALL, [0, 1, 5, 64]],
    ["random(2)", DnsAnswerSelection.random(2), DnsAnswerSelectionKind.RANDOM, [0, 1, 2, 2]],
    ["hashedByClient", DnsAnswerSelection.hashedByClient(), DnsAnswerSelectionKind.HASHED, [0, 1, 1, 1]],
  ])("%s answers with as many members as it picks", (_name, selection, kind, sizes) => {
    // GIVEN the selection
    // WHEN 0, 1, 5 and 64 members are healthy
    // THEN answers hold all healthy members, at most the random count, or one
    expect(selection.kind).toBe(kind);
    expect([0, 1, 5, 64].map((n) => selection.answerSize(n))).toEqual(sizes);
    expect(() => selection.validate("stack/pool")).not.toThrow();
  });

  test.each([0, -1, 1.5, 65, Number.NaN])("throws for a random count of %s", (count) => {
    // GIVEN a random selection of an impossible size
    // WHEN it is validated
    // THEN a ValidationError names the count and the range
    const error = validationErrorOf(() => DnsAnswerSelection.random(count).validate("stack/pool"));
    expect(error.message).toMatch(
      /^stack\/pool: DnsAnswerSelection.random count .* whole number from 1 to 64/,
    );
  });

  test("throws for a negative healthy count", () => {
    expect(validationErrorOf(() => DnsAnswerSelection.all().answerSize(-1)).message).toMatch(
      /healthy member count/,
    );
  });
});
