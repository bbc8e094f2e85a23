import { describe, expect, test } from "vitest";
import { AllUnhealthy } from "../../lib/model/all-unhealthy";
import { DnsAnswerSelection } from "../../lib/model/dns-answer-selection";
import { HealthCheck } from "../../lib/model/health-check";
import { powerDnsAllUnhealthy, powerDnsProbe, powerDnsSelection } from "../../lib/render/powerdns-policy";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/pool";
const TARGET = { servicePort: 80, hostName: "web.pool.test" };

describe("powerDnsSelection", () => {
  test.each([
    ["all", DnsAnswerSelection.all(), { kind: "all" }],
    ["random(3)", DnsAnswerSelection.random(3), { kind: "random", count: 3 }],
    ["hashedByClient", DnsAnswerSelection.hashedByClient(), { kind: "hashed" }],
  ])("maps %s", (_name, selection, expected) => {
    expect(powerDnsSelection(WHERE, selection)).toEqual(expected);
  });

  test("throws for a random count of 0", () => {
    expect(validationErrorOf(() => powerDnsSelection(WHERE, DnsAnswerSelection.random(0))).path).toBe(WHERE);
  });
});

describe("powerDnsAllUnhealthy", () => {
  test.each([
    ["answerAll", AllUnhealthy.answerAll(), { kind: "all" }],
    ["answerNone", AllUnhealthy.answerNone(), { kind: "none" }],
    [
      "fallback",
      AllUnhealthy.fallback("198.18.0.99", "2001:DB8::9"),
      { kind: "fallback", addresses: ["198.18.0.99", "2001:db8::9"] },
    ],
  ])("maps %s (fallback addresses in normal form)", (_name, choice, expected) => {
    expect(powerDnsAllUnhealthy(WHERE, choice)).toEqual(expected);
  });
});

describe("powerDnsProbe", () => {
  test("probes TCP on the service port with the timeout in whole seconds", () => {
    // GIVEN a TCP check with a 1500 ms timeout
    // WHEN it becomes a PowerDNS probe
    // THEN it connects to the service port with a 2 s timeout
    expect(powerDnsProbe(WHERE, HealthCheck.tcp({ intervalMs: 2000, timeoutMs: 1500 }), TARGET)).toEqual({
      kind: "tcp",
      port: 80,
      timeoutSeconds: 2,
    });
  });

  test("probes HTTP on the check's own port and path, sending the pool's host name", () => {
    expect(powerDnsProbe(WHERE, HealthCheck.http({ path: "/healthz", port: 8080 }), TARGET)).toEqual({
      kind: "http",
      hostName: "web.pool.test",
      port: 8080,
      path: "/healthz",
      timeoutSeconds: 1,
    });
  });

  test.each([
    [
      "an HTTP check expecting 204",
      HealthCheck.http({ expectedStatus: 204 }),
      TARGET,
      /expectedStatus 204.*only an HTTP 200/,
    ],
    ["a script check", HealthCheck.script(["/bin/true"]), TARGET, /health check "script"/],
    ["an invalid check", HealthCheck.tcp({ intervalMs: 50 }), TARGET, /intervalMs/],
    [
      "a host name with a space",
      HealthCheck.http(),
      { servicePort: 80, hostName: "web pool.test" },
      /host name/,
    ],
    ["service port 0", HealthCheck.tcp(), { servicePort: 0, hostName: "web.pool.test" }, /port/],
  ])("throws for %s", (_what, check, target, message) => {
    // GIVEN a check PowerDNS cannot run as asked
    // WHEN it becomes a PowerDNS probe
    // THEN a ValidationError at the pool says why
    const error = validationErrorOf(() => powerDnsProbe(WHERE, check, target));
    expect(error.path).toBe(WHERE);
    expect(error.message).toMatch(message);
  });
});
