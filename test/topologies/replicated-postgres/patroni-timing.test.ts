import { describe, expect, test } from "vitest";
import { resolveChecks, resolveTiming } from "../../../lib/topologies/replicated-postgres/patroni-timing";
import { caught } from "../../support/errors";

describe("resolveTiming", () => {
  test("defaults to a fast failover that keeps Patroni's rule", () => {
    const t = resolveTiming("s/db");
    expect(t).toEqual({ ttlSeconds: 8, loopWaitSeconds: 1, retryTimeoutSeconds: 3 });
    expect(t.loopWaitSeconds + 2 * t.retryTimeoutSeconds).toBeLessThanOrEqual(t.ttlSeconds);
  });

  test("refuses a ttl shorter than loop_wait + 2 × retry_timeout, saying why", () => {
    const e = caught(() =>
      resolveTiming("s/db", { ttlSeconds: 6, loopWaitSeconds: 2, retryTimeoutSeconds: 3 }),
    );
    expect(e.message).toContain("s/db");
    expect(e.message).toContain("give at least loopWaitSeconds + 2 × retryTimeoutSeconds = 8");
  });

  test("refuses a ttl a cut-off primary's failsafe check outlasts, though Patroni's own rule holds", () => {
    // loop 1 + 2 × retry 3 = 7 ≤ 7, but it demotes only after 1 + 3 + the failsafe check's 4 s.
    const e = caught(() =>
      resolveTiming("s/db", { ttlSeconds: 7, loopWaitSeconds: 1, retryTimeoutSeconds: 3 }),
    );
    expect(e.message).toContain("s/db");
    expect(e.message).toContain("7");
    expect(e.message).toContain("give at least loopWaitSeconds + retryTimeoutSeconds + 4 = 8");
    expect(
      resolveTiming("s/db", { ttlSeconds: 8, loopWaitSeconds: 1, retryTimeoutSeconds: 3 }).ttlSeconds,
    ).toBe(8);
  });

  test.each([
    [{ ttlSeconds: 4 }, "ttlSeconds"],
    [{ loopWaitSeconds: 0.5 }, "loopWaitSeconds"],
    [{ retryTimeoutSeconds: 0 }, "retryTimeoutSeconds"],
  ])("refuses %j", (bad, what) => {
    expect(caught(() => resolveTiming("s/db", bad)).message).toContain(what);
  });

  test("router checks default to every second, out after 2 failures, in after 1 pass", () => {
    expect(resolveChecks("s/db")).toEqual({ intervalMs: 1000, fall: 2, rise: 1 });
    expect(caught(() => resolveChecks("s/db", { intervalMs: 50 })).message).toContain("intervalMs");
  });
});
