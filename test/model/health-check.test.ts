import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import { HealthCheck, HealthCheckKind, type HealthCheckTimingOptions } from "../../lib/model/health-check";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/local/web";

/** One factory per kind, taking timing options only. */
const FACTORIES: Array<[HealthCheckKind, (timing: HealthCheckTimingOptions) => HealthCheck]> = [
  [HealthCheckKind.HTTP, (t) => HealthCheck.http(t)],
  [HealthCheckKind.TCP, (t) => HealthCheck.tcp(t)],
  [HealthCheckKind.SCRIPT, (t) => HealthCheck.script(["/usr/local/bin/check-app"], t)],
];

describe("factories and defaults", () => {
  test.each(FACTORIES)("%s: interval 1000, timeout 500, rise 2, fall 2", (kind, make) => {
    // GIVEN a check made without options
    const check = make({});
    // WHEN its settings are read
    // THEN they are the documented defaults and the check is valid
    expect(check.kind).toBe(kind);
    expect(check.intervalMs).toBe(1000);
    expect(check.timeoutMs).toBe(500);
    expect(check.healthyThreshold).toBe(2);
    expect(check.unhealthyThreshold).toBe(2);
    expect(() => check.validate(WHERE)).not.toThrow();
  });

  test("http: path '/', expected status 200, the service port", () => {
    // GIVEN an HTTP check made without options
    const check = HealthCheck.http();
    // WHEN its target is read
    // THEN it asks "/" on the service port and expects 200
    expect(check.path).toBe("/");
    expect(check.expectedStatus).toBe(200);
    expect(check.port).toBeUndefined();
    expect(check.command).toBeUndefined();
  });

  test("http: the options given are kept", () => {
    // GIVEN an HTTP check with every option
    const check = HealthCheck.http({
      path: "/healthz",
      port: 9000,
      expectedStatus: 204,
      intervalMs: 2000,
      timeoutMs: 1500,
      healthyThreshold: 3,
      unhealthyThreshold: 4,
    });
    // WHEN it is read and validated
    // THEN every option shows through and it is valid
    expect(check).toMatchObject({
      kind: HealthCheckKind.HTTP,
      path: "/healthz",
      port: 9000,
      expectedStatus: 204,
      intervalMs: 2000,
      timeoutMs: 1500,
      healthyThreshold: 3,
      unhealthyThreshold: 4,
    });
    expect(() => check.validate(WHERE)).not.toThrow();
  });

  test("tcp: no path, no status, the port given", () => {
    // GIVEN a TCP check on port 5432
    const check = HealthCheck.tcp({ port: 5432 });
    // WHEN it is read
    // THEN only the port is set
    expect(check.port).toBe(5432);
    expect(check.path).toBeUndefined();
    expect(check.expectedStatus).toBeUndefined();
  });

  test("script: the command is copied, so later changes to the caller's array do not count", () => {
    // GIVEN a script check made from an array the caller keeps
    const command = ["/usr/local/bin/check-app", "--quick"];
    const check = HealthCheck.script(command);
    // WHEN the caller changes the array afterwards
    command.push("; rm -rf /");
    // THEN the check keeps the command it was given
    expect(check.command).toEqual(["/usr/local/bin/check-app", "--quick"]);
    expect(check.path).toBeUndefined();
  });

  test("a short interval caps the default timeout", () => {
    // GIVEN an interval shorter than the default timeout
    const check = HealthCheck.tcp({ intervalMs: 200 });
    // WHEN the timeout is read
    // THEN it is the interval, so the check stays valid
    expect(check.timeoutMs).toBe(200);
    expect(() => check.validate(WHERE)).not.toThrow();
  });
});

describe("validate()", () => {
  test.each([
    [
      "timeout longer than the interval",
      { intervalMs: 1000, timeoutMs: 1001 },
      "timeoutMs",
      "at most intervalMs (1000)",
    ],
    ["interval below 100 ms", { intervalMs: 99, timeoutMs: 50 }, "intervalMs", "100 to 3600000"],
    ["interval above an hour", { intervalMs: 3_600_001 }, "intervalMs", "100 to 3600000"],
    ["a fractional interval", { intervalMs: 1000.5 }, "intervalMs", "whole number"],
    ["timeout below 10 ms", { timeoutMs: 9 }, "timeoutMs", "10 to 3600000"],
    ["healthy threshold 0", { healthyThreshold: 0 }, "healthyThreshold", "1 to 10"],
    ["healthy threshold 11", { healthyThreshold: 11 }, "healthyThreshold", "1 to 10"],
    ["unhealthy threshold 0", { unhealthyThreshold: 0 }, "unhealthyThreshold", "1 to 10"],
    ["unhealthy threshold 11", { unhealthyThreshold: 11 }, "unhealthyThreshold", "1 to 10"],
    ["a fractional threshold", { unhealthyThreshold: 1.5 }, "unhealthyThreshold", "whole number"],
    ["a NaN interval", { intervalMs: Number.NaN }, "intervalMs", "whole number"],
  ])("throws for %s, for every kind", (_what, timing, field, allowed) => {
    for (const [, make] of FACTORIES) {
      // GIVEN a check of each kind with the bad timing
      const check = make(timing);
      // WHEN it is validated at a construct path
      const error = validationErrorOf(() => check.validate(WHERE));
      // THEN the ValidationError names the path, the field and what is allowed
      expect(error.message).toContain(`${WHERE}: health check ${field}`);
      expect(error.message).toContain(allowed);
    }
  });

  test.each([
    ["a path without a leading slash", { path: "healthz" }, "health check path"],
    ["a path with a space", { path: "/health z" }, "health check path"],
    ["a path with a newline", { path: "/health\nbind *:1" }, "health check path"],
    ["a path with a quote", { path: '/health"' }, "health check path"],
    ["a path with '#'", { path: "/health#x" }, "health check path"],
    ["an empty path", { path: "" }, "health check path"],
    ["port 0", { port: 0 }, "health check port"],
    ["port 65536", { port: 65536 }, "health check port"],
    ["a fractional port", { port: 80.5 }, "health check port"],
    ["status 99", { expectedStatus: 99 }, "health check expectedStatus"],
    ["status 600", { expectedStatus: 600 }, "health check expectedStatus"],
  ])("throws for an HTTP check with %s", (_what, options, field) => {
    // GIVEN an HTTP check with a bad target
    const check = HealthCheck.http(options);
    // WHEN it is validated
    const error = validationErrorOf(() => check.validate(WHERE));
    // THEN the ValidationError names the path and the field
    expect(error.message).toContain(`${WHERE}: ${field}`);
  });

  test.each([0, 65536, -1])("throws for a TCP check on port %d", (port) => {
    // GIVEN a TCP check on a port outside 1-65535
    const check = HealthCheck.tcp({ port });
    // WHEN it is validated
    // THEN it fails naming the port range
    expect(() => check.validate(WHERE)).toThrow("health check port");
  });

  test.each([
    ["an empty command", [], "non-empty list"],
    ["a relative executable", ["check-app"], "executable"],
    ["a command line in one string", ["/usr/local/bin/check-app --quick"], "executable"],
    ["an argument with a space", ["/usr/local/bin/check-app", "a b"], "argument"],
    ["an argument with quotes", ["/usr/local/bin/check-app", '"a"'], "argument"],
    ["an argument with single quotes", ["/usr/local/bin/check-app", "'a'"], "argument"],
    ["an argument with '$'", ["/usr/local/bin/check-app", "$HOME"], "argument"],
    ["an argument with a newline", ["/usr/local/bin/check-app", "a\nb"], "argument"],
    ["a string instead of a list", "/usr/local/bin/check-app" as unknown as string[], "non-empty list"],
  ])("throws for a script check with %s", (_what, command, part) => {
    // GIVEN a script check whose command a shell or keepalived would split or expand
    const check = HealthCheck.script(command);
    // WHEN it is validated
    const error = validationErrorOf(() => check.validate(WHERE));
    // THEN the ValidationError names the path, the command and which part is wrong
    expect(error.message).toContain(`${WHERE}: health check command`);
    expect(error.message).toContain(part);
  });

  test("valid timings from random options pass, invalid ones fail", () => {
    // GIVEN random timing options, valid and invalid
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.integer({ min: -1, max: 12 }),
        fc.integer({ min: -1, max: 12 }),
        (intervalMs, timeoutMs, healthyThreshold, unhealthyThreshold) => {
          const check = HealthCheck.tcp({ intervalMs, timeoutMs, healthyThreshold, unhealthyThreshold });
          // WHEN the check is validated
          const valid =
            intervalMs >= 100 &&
            intervalMs <= 3_600_000 &&
            timeoutMs >= 10 &&
            timeoutMs <= intervalMs &&
            healthyThreshold >= 1 &&
            healthyThreshold <= 10 &&
            unhealthyThreshold >= 1 &&
            unhealthyThreshold <= 10;
          // THEN it passes exactly when every rule holds, and otherwise throws a ValidationError
          if (valid) expect(() => check.validate(WHERE)).not.toThrow();
          else expect(() => check.validate(WHERE)).toThrow(ValidationError);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("detectionTimeMs", () => {
  test.each([
    ["the defaults", {}, 2 * 1000 + 500],
    ["fall 3 every 2 s, timeout 1 s", { unhealthyThreshold: 3, intervalMs: 2000, timeoutMs: 1000 }, 7000],
    ["fall 1 every 100 ms", { unhealthyThreshold: 1, intervalMs: 100 }, 200],
    ["fall 10 every minute", { unhealthyThreshold: 10, intervalMs: 60_000, timeoutMs: 5000 }, 605_000],
  ])("is fall × interval + timeout for %s", (_what, timing, expected) => {
    for (const [, make] of FACTORIES) {
      // GIVEN a check of each kind with the timing
      const check = make(timing);
      // WHEN its detection time is read
      // THEN it is unhealthyThreshold × intervalMs + timeoutMs
      expect(check.detectionTimeMs).toBe(expected);
    }
  });

  test("does not depend on the healthy threshold", () => {
    // GIVEN two checks that differ only in rise
    const slowRise = HealthCheck.http({ healthyThreshold: 10 });
    const fastRise = HealthCheck.http({ healthyThreshold: 1 });
    // WHEN their detection times are read
    // THEN they are the same: rise matters for coming back, not for going down
    expect(slowRise.detectionTimeMs).toBe(fastRise.detectionTimeMs);
  });
});
