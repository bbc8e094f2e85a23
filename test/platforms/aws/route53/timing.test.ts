import { describe, expect, test } from "vitest";
import type { Route53Plan } from "../../../../lib/platforms/aws/route53/limits";
import {
  route53Timings,
  STATUS_PROPAGATION_MS,
  silentProbeMs,
} from "../../../../lib/platforms/aws/route53/timing";

const plan = (
  type: "HTTP" | "TCP",
  intervalSeconds: number,
  failureThreshold: number,
  mode: Route53Plan["mode"] = "endpoint",
): Route53Plan => ({
  mode,
  zoneName: "a.test",
  fqdn: "www.a.test",
  intervalSeconds,
  failureThreshold,
  probe: { type, port: 80 },
  probeTimeoutSeconds: 1,
  fallback: [],
  notes: [],
});

describe("route53Timings", () => {
  test.each([
    ["HTTP", 10, 3, 40_000, 52_000],
    ["HTTP", 30, 3, 100_000, 112_000],
    ["TCP", 10, 1, 20_000, 30_000],
    ["TCP", 30, 10, 310_000, 410_000],
  ] as const)(
    "%s every %i s, threshold %i: refused %i ms, silent %i ms",
    (type, interval, n, refused, silent) => {
      // GIVEN / WHEN
      const t = route53Timings(plan(type, interval, n));

      // THEN
      expect(t.refusedRemoval.ms).toBe(refused);
      expect(t.silentRemoval.ms).toBe(silent);
      expect(t.return.ms).toBe(refused);
      expect(t.refusedRemoval.arithmetic).toContain(`= ${refused} ms`);
      expect(t.silentRemoval.arithmetic).toContain(
        `${silentProbeMs(plan(type, interval, n))} ms for a ${type} probe`,
      );
      expect(t.return.arithmetic).toMatch(/an estimate: AWS documents no figure/);
    },
  );

  test("adds the propagation estimate once", () => {
    expect(STATUS_PROPAGATION_MS).toBe(10_000);
    expect(route53Timings(plan("HTTP", 10, 1)).refusedRemoval.ms).toBe(10_000 + STATUS_PROPAGATION_MS);
  });

  test.each([
    [10, 3, 2, 50_000, 52_000],
    [30, 1, 5, 70_000, 75_000],
  ] as const)(
    "alarms of %i s periods, threshold %i, probe timeout %i s: refused %i ms, silent %i ms",
    (period, n, timeout, refused, silent) => {
      // GIVEN
      const p = { ...plan("HTTP", period, n, "alarm"), probeTimeoutSeconds: timeout };

      // WHEN
      const t = route53Timings(p);

      // THEN (threshold + 1) periods, plus the probe's timeout when silent, plus the estimate
      expect(t.refusedRemoval.ms).toBe(refused);
      expect(t.silentRemoval.ms).toBe(silent);
      expect(t.return.ms).toBe(refused);
      expect(t.silentRemoval.arithmetic).toMatch(/missing data counts as failing/);
    },
  );
});
