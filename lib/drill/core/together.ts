/**
 * Work a lab does at once: making hosts' namespaces, starting a tier's hosts, starting clients.
 * Each is mostly waiting on process starts (seconds each on an emulated CPU), so they overlap
 * instead of queueing; the order a topology needs between groups stays the caller's.
 */
import type { Lab } from "./lab";

/**
 * Waits for every promise, failed or not, so that nothing is still under way when the caller
 * cleans up after a failure; then gives their values, or throws the first failure.
 */
export async function together<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Starts every host of `hostnames` at once and waits for all of them (see `together`). */
export async function startHostsTogether(
  lab: Pick<Lab, "startHost">,
  hostnames: Iterable<string>,
): Promise<void> {
  await together([...new Set(hostnames)].map((h) => lab.startHost(h)));
}
