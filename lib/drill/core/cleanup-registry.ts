/**
 * The last fence of the labs (the namespace lab, the engine lab, the VMs): everything they start
 * (daemons, namespaces, VMs) registers a synchronous cleanup here, run in reverse order when the
 * process exits or receives SIGINT or SIGTERM before the owner tore it down (a test runner that
 * stops its workers with SIGTERM reaches no exit handler). Handlers are installed only while
 * something is live; after a signal the cleanups run and the signal is raised again.
 */
type Cleanup = () => void;

const live = new Map<number, { what: string; cleanup: Cleanup }>();
let next = 0;
let installed = false;

function runAll(): void {
  for (const id of [...live.keys()].sort((a, b) => b - a)) {
    const entry = live.get(id);
    live.delete(id);
    try {
      entry?.cleanup();
    } catch (e) {
      console.error(`lab cleanup of ${entry?.what}: ${(e as Error).message}`);
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runAll();
  uninstall();
  process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", runAll);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

/** Registers `cleanup` for `what`; the returned function unregisters it (after a normal teardown). */
export function registerCleanup(what: string, cleanup: Cleanup): () => void {
  const id = next++;
  live.set(id, { what, cleanup });
  install();
  return () => {
    live.delete(id);
    if (live.size === 0) uninstall();
  };
}

/** What is registered now, for messages and tests. */
export function registeredCleanups(): string[] {
  return [...live.values()].map((e) => e.what);
}
