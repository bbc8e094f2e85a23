/**
 * Docker's healthchecks of a stack on a slower clock: on an emulated CPU each check's exec
 * (containerd, runc, the probe) costs seconds, so a 1 s timeout fails every time and a 2 s
 * interval keeps the CPU busy with checks alone. The HA mechanisms under test (VRRP, BFD,
 * keepalived's checks) run inside the containers and keep their own timers: only Docker's
 * view of health, and how long creation waits for it, is slowed.
 */
import { EngineError } from "./engine-error";
import type { EngineStack } from "./engine-stack";

/** `stack` with every healthcheck's interval, timeout and start period, and `wait_timeout`, × `factor`. */
export function scaleHealthchecks(stack: EngineStack, factor: number): EngineStack {
  if (!Number.isFinite(factor) || factor < 1 || factor > 100)
    throw new EngineError(`healthcheck scale ${factor} is not allowed: a number in 1..100`);
  if (factor === 1) return stack;
  return {
    ...stack,
    containers: stack.containers.map((c) => ({
      ...c,
      waitTimeoutSeconds: c.waitTimeoutSeconds * factor,
      ...(c.healthcheck
        ? {
            healthcheck: {
              ...c.healthcheck,
              intervalNs: Math.round(c.healthcheck.intervalNs * factor),
              timeoutNs: Math.round(c.healthcheck.timeoutNs * factor),
              startPeriodNs: Math.round(c.healthcheck.startPeriodNs * factor),
            },
          }
        : {}),
    })),
  };
}
