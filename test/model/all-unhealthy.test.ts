import { describe, expect, test } from "vitest";
import { AllUnhealthy, AllUnhealthyKind } from "../../lib/model/all-unhealthy";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/pool";

describe("AllUnhealthy", () => {
  test.each([
    ["answerAll", AllUnhealthy.answerAll(), AllUnhealthyKind.ANSWER_ALL],
    ["answerNone", AllUnhealthy.answerNone(), AllUnhealthyKind.ANSWER_NONE],
  ])("%s carries no address", (_name, choice, kind) => {
    expect([choice.kind, choice.addresses, choice.validate(WHERE)]).toEqual([kind, [], []]);
  });

  test("fallback returns its addresses in normal form", () => {
    // GIVEN a fallback to an IPv4 and an IPv6 address
    const choice = AllUnhealthy.fallback("198.18.0.99", "2001:DB8:0::9");
    // WHEN it is validated
    // THEN the addresses come back as DNS servers print them
    expect(choice.kind).toBe(AllUnhealthyKind.FALLBACK);
    expect(choice.validate(WHERE)).toEqual(["198.18.0.99", "2001:db8::9"]);
  });

  test.each<[string, string[], RegExp]>([
    ["no address", [], /give at least one fallback address/],
    ["a host name", ["sorry.example.test"], /fallback address "sorry.example.test"/],
    ["an address with a newline", ["198.18.0.99\n"], /fallback address/],
    ["the same address twice", ["2001:db8::9", "2001:DB8::9"], /"2001:db8::9" .* once/],
  ])("fallback throws for %s", (_what, addresses, message) => {
    const error = validationErrorOf(() => AllUnhealthy.fallback(...addresses).validate(WHERE));
    expect(error.path).toBe(WHERE);
    expect(error.message).toMatch(message);
  });
});
