import { describe, expect, test } from "vitest";
import { Balance, Stickiness } from "../../../lib";
import { validationErrorOf } from "../../support/errors";

describe("Balance", () => {
  test.each([
    [Balance.roundRobin(), "roundrobin", false, false],
    [Balance.leastConnections(), "leastconn", false, false],
    [Balance.powerOfTwoChoices(), "random(2)", false, false],
    [Balance.consistentHashSource(), "source", true, false],
    [Balance.consistentHashHeader("X-Tenant"), "hdr(X-Tenant)", true, true],
  ])("%o renders %s", (balance, algorithm, consistent, httpOnly) => {
    balance._validate("stack/x");
    expect([balance.algorithm, balance.consistent, balance.httpOnly]).toEqual([
      algorithm,
      consistent,
      httpOnly,
    ]);
  });

  test("fails for a header name that would break the config line", () => {
    expect(
      validationErrorOf(() => Balance.consistentHashHeader("X-A\nbind")._validate("stack/x")).message,
    ).toContain("stack/x: hash header");
  });
});

describe("Stickiness", () => {
  test("inserts SRVID by default, or the cookie named", () => {
    expect(Stickiness.cookie().cookieName).toBe("SRVID");
    expect(Stickiness.cookie("route").cookieName).toBe("route");
  });

  test("fails for a cookie name with a brace", () => {
    expect(validationErrorOf(() => Stickiness.cookie("a{b")._validate("stack/x")).message).toContain(
      "stack/x: stickiness cookie name",
    );
  });
});
