import { describe, expect, test } from "vitest";
import { AllUnhealthy, DnsAnswerSelection, HealthCheck } from "../../../../lib";
import { DnsZone } from "../../../../lib/model/dns-zone";
import { planRoute53Name } from "../../../../lib/platforms/aws/route53/limits";
import type { HealthCheckedNameRequest } from "../../../../lib/platforms/health-checked-name";
import { validationErrorOf } from "../../../support/errors";
import { fixedMembers, platformStack, request } from "./fixture";

/** A request for `count` external members with `overrides`, and the scope it is made at. */
function ask(count: number, overrides: Partial<HealthCheckedNameRequest> = {}) {
  const { cloud, scope } = platformStack({}, 1);
  const addresses = Array.from({ length: count }, (_, i) => `8.8.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  return { cloud, scope, request: request(fixedMembers(...addresses), count, scope, overrides) };
}

const check = (options: Parameters<typeof HealthCheck.http>[0] = {}) =>
  HealthCheck.http({ path: "/healthz", port: 8404, intervalMs: 10_000, timeoutMs: 2000, ...options });

describe("planRoute53Name", () => {
  test("maps the portable check to Route 53's and keeps its notes", () => {
    // GIVEN
    const { scope, request: asked } = ask(3, {
      healthCheck: HealthCheck.tcp({
        port: 9000,
        intervalMs: 30_000,
        timeoutMs: 1000,
        unhealthyThreshold: 5,
      }),
      selection: DnsAnswerSelection.random(3),
      recordName: "Api.V1",
    });

    // WHEN
    const plan = planRoute53Name(scope, asked);

    // THEN
    expect(plan).toMatchObject({
      zoneName: "pool.example.com",
      fqdn: "api.v1.pool.example.com",
      intervalSeconds: 30,
      failureThreshold: 5,
      probe: { type: "TCP", port: 9000 },
      fallback: [],
    });
    expect(plan.notes.join("\n")).toMatch(/10 s to connect/);
    expect(plan.notes.join("\n")).toMatch(/more than 18% of the checkers/);
  });

  test("checks a private zone's members through alarms, with the probe's own timeout in whole seconds", () => {
    // GIVEN
    const { scope, request: asked } = ask(2, {
      zone: DnsZone.create("pool.internal", { private: true }),
      healthCheck: check({ timeoutMs: 1500 }),
    });

    // WHEN
    const plan = planRoute53Name(scope, asked);

    // THEN
    expect(plan).toMatchObject({ mode: "alarm", probeTimeoutSeconds: 2, intervalSeconds: 10 });
    expect(plan.notes.join("\n")).toMatch(/missing data counts as failing/);
    expect(plan.notes.join("\n")).not.toMatch(/4 s to connect/);
  });

  test("accepts random(8) over more than 8 members: Route 53 picks 8 for each resolver", () => {
    // GIVEN / WHEN / THEN
    const { scope, request: asked } = ask(12, { selection: DnsAnswerSelection.random(8) });
    expect(planRoute53Name(scope, asked).fqdn).toBe("www.pool.example.com");
  });

  test.each<[string, number, Partial<HealthCheckedNameRequest>, RegExp]>([
    ["all() over 9 members", 9, {}, /use DnsAnswerSelection\.random\(8\)/],
    [
      "random(9)",
      3,
      { selection: DnsAnswerSelection.random(9) },
      /at most 8 healthy records: use random\(n\) with n <= 8/,
    ],
    [
      "random(2) of 3",
      3,
      { selection: DnsAnswerSelection.random(2) },
      /cannot be limited to fewer.*random\(3\)/,
    ],
    [
      "random(5) of 12",
      12,
      { selection: DnsAnswerSelection.random(5) },
      /up to 8: use random\(8\) or all\(\)$/,
    ],
    ["hashedByClient()", 3, { selection: DnsAnswerSelection.hashedByClient() }, /cannot pin a client/],
    ["answerNone()", 3, { allUnhealthy: AllUnhealthy.answerNone() }, /no empty answer/],
    ["an empty fallback", 3, { allUnhealthy: AllUnhealthy.fallback() }, /at least one fallback address/],
    [
      "a 5 s interval",
      3,
      { healthCheck: check({ intervalMs: 5000, timeoutMs: 1000 }) },
      /every 10 s or every 30 s/,
    ],
    ["a threshold of 11", 3, { healthCheck: check({ unhealthyThreshold: 11 }) }, /unhealthyThreshold 11/],
    ["a 60 s interval", 3, { healthCheck: check({ intervalMs: 60_000 }) }, /intervalMs 10000 or 30000/],
    [
      "a script check",
      3,
      { healthCheck: HealthCheck.script(["/bin/true"], { intervalMs: 10_000 }) },
      /by HTTP or TCP/,
    ],
    ["expectedStatus 404", 3, { healthCheck: check({ expectedStatus: 404 }) }, /2xx or 3xx/],
    [
      "a 5 s interval in a private zone",
      3,
      {
        zone: DnsZone.create("pool.internal", { private: true }),
        healthCheck: check({ intervalMs: 5000, timeoutMs: 1000 }),
      },
      /alarms have periods of 10 s or 30 s/,
    ],
    ["serverCount", 3, { serverCount: 2 }, /leave serverCount unset on AWS/],
    ["no members", 0, {}, /at least one member/],
    ["a negative TTL", 3, { ttlSeconds: -1 }, /ttlSeconds/],
    ["a malformed record name", 3, { recordName: "bad name" }, /record name/],
    ["a malformed zone id", 3, { zone: DnsZone.existing("example.com", "z-lower") }, /hosted zone's id/],
  ])("throws at the scope for %s", (_what, count, overrides, message) => {
    // GIVEN
    const { cloud, scope, request: asked } = ask(count, overrides);

    // WHEN
    const error = validationErrorOf(() => cloud.addHealthCheckedName(scope, "www", asked));

    // THEN
    expect(error.path).toBe("test/cloud/pool");
    expect(error.message).toMatch(message);
  });
});
