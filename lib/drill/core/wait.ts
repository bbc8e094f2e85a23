import { nowMs, sleep } from "./proc";

/**
 * Polls `condition` every `stepMs` until it holds or `timeoutMs` passes; the elapsed
 * milliseconds, or undefined when it never held.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 5,
): Promise<number | undefined> {
  const start = nowMs();
  while (nowMs() - start < timeoutMs) {
    if (await condition()) return nowMs() - start;
    await sleep(stepMs);
  }
  return (await condition()) ? nowMs() - start : undefined;
}
