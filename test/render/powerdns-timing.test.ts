import { describe, expect, test } from "vitest";
import { HealthCheck } from "../../lib/model/health-check";
import { powerDnsCheckTiming } from "../../lib/render/powerdns-timing";
import { validationErrorOf } from "../support/errors";

describe("powerDnsCheckTiming", () => {
  test("probes every second with a 1 s timeout for the default check", () => {
    // GIVEN the default HTTP check (1000 ms interval, 500 ms timeout, 2 failures)
    // WHEN PowerDNS's timing is derived
    const timing = powerDnsCheckTiming("pool", HealthCheck.http({ path: "/healthz" }));
    // THEN PowerDNS probes each second; a refused member leaves within a round, a silent one a
    // timeout later
    expect(timing).toEqual({
      intervalSeconds: 1,
      timeoutSeconds: 1,
      removalTimeMs: 2000,
      refusedRemovalTimeMs: 1000,
    });
    // AND that is within the portable check's own detection time
    expect(timing.removalTimeMs).toBeLessThanOrEqual(HealthCheck.http().detectionTimeMs);
  });

  test.each([
    [{ intervalMs: 100, timeoutMs: 50 }, 1, 1],
    [{ intervalMs: 2500, timeoutMs: 1500 }, 2, 2],
    [{ intervalMs: 10_000, timeoutMs: 3000 }, 10, 3],
  ])("rounds %j to whole seconds: interval down, timeout up", (timing, intervalSeconds, timeoutSeconds) => {
    // GIVEN a TCP check with the timing
    // WHEN PowerDNS's timing is derived
    const t = powerDnsCheckTiming("pool", HealthCheck.tcp(timing));
    // THEN the interval is rounded down (at least 1 s) and the timeout up
    expect([t.intervalSeconds, t.timeoutSeconds]).toEqual([intervalSeconds, timeoutSeconds]);
    const round = Math.max(intervalSeconds, timeoutSeconds);
    expect([t.removalTimeMs, t.refusedRemovalTimeMs]).toEqual([
      (round + timeoutSeconds) * 1000,
      round * 1000,
    ]);
  });

  test("throws for a script check, which PowerDNS cannot run", () => {
    // GIVEN a script check
    // WHEN PowerDNS's timing is derived
    // THEN a ValidationError says which checks PowerDNS can run
    const error = validationErrorOf(() =>
      powerDnsCheckTiming("stack/pool", HealthCheck.script(["/bin/true"])),
    );
    expect(error.message).toMatch(
      /^stack\/pool: health check "script".*HealthCheck.http\(\) or HealthCheck.tcp\(\)/,
    );
  });
});
