/**
 * Linux network namespaces for the tiers that run real daemons (daemon checks, drills).
 *
 * Every namespace gets a name unique to this test process (`hat-<pid>-<n>`), loopback and, when
 * given an address, one interface with that address from 198.18.0.0/15 (the benchmarking range:
 * never routed, so nothing can leak to a real network). The interface is one end of a veth pair whose other end stays in
 * the same namespace: nothing is added to the host's namespace, and deleting the namespace
 * deletes both ends. (A veth pair rather than a `dummy` link: the dummy driver is not built into
 * every kernel the tests run on.)
 *
 * Cleanup: `deleteNamespace` after each use, `cleanupNamespaces()` in `afterEach`/`afterAll`,
 * and a process `exit` hook as the last fence, so a failing or aborted test leaves nothing
 * behind. Every command has a timeout and every wait a deadline.
 */
import { spawnSync } from "node:child_process";
import ipaddr from "ipaddr.js";

/** Addresses a test namespace may use. */
export const TEST_RANGE = "198.18.0.0/15";
const testRange = ipaddr.parseCIDR(TEST_RANGE);

/** Upper bound for one command. */
const COMMAND_TIMEOUT_MS = 15_000;
/** Upper bound for a namespace's interface to come up. */
const LINK_UP_TIMEOUT_MS = 3_000;
/** Name of the veth peer of the namespace's interface; lives inside the namespace too. */
const PEER_NAME = "hat-peer";

/** What a command printed and how it ended. */
export interface CommandResult {
  /** The command line, for messages. */
  readonly command: string;
  /** Exit status; null when the command was killed by a signal (e.g. at its timeout). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Non-empty lines of stdout and stderr, stdout first. */
  readonly lines: readonly string[];
}

/**
 * Runs a command without a shell and waits for it, at most `timeoutMs` (then SIGKILL).
 * Throws only when the command cannot be started or times out; a non-zero exit is a result.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { readonly timeoutMs?: number } = {},
): CommandResult {
  const line = [command, ...args].join(" ");
  const timeout = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const r = spawnSync(command, args, {
    encoding: "utf8",
    timeout,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ETIMEDOUT") throw new Error(`${line}: no result within ${timeout} ms (killed)`);
    throw new Error(`${line}: cannot run: ${r.error.message}`);
  }
  const stdout = r.stdout ?? "";
  const stderr = r.stderr ?? "";
  const lines = `${stdout}\n${stderr}`.split("\n").filter((l) => l.trim().length > 0);
  return { command: line, status: r.status, signal: r.signal, stdout, stderr, lines };
}

/** Runs a command that must succeed; throws with its output otherwise. */
function mustRun(command: string, args: readonly string[]): CommandResult {
  const r = runCommand(command, args);
  if (r.status !== 0) {
    throw new Error(`${r.command} failed (status ${r.status ?? r.signal}): ${r.lines.join(" | ")}`);
  }
  return r;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `ready` until it returns true or `timeoutMs` passes; throws with `what` on timeout. */
export function waitUntil(what: string, ready: () => boolean, timeoutMs: number, pollMs = 20): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ready()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    sleepMs(pollMs);
  }
}

let counter = 0;
const live = new Set<string>();

/** A namespace name unique to this process: `hat-<pid>-<n>`. */
export function uniqueNamespaceName(): string {
  counter += 1;
  return `hat-${process.pid}-${counter}`;
}

/** Names of the namespaces on this machine (`ip netns list`). */
export function listNamespaces(): string[] {
  return mustRun("ip", ["netns", "list"])
    .lines.map((l) => l.split(/\s+/)[0] as string)
    .filter((n) => n.length > 0);
}

/** Namespaces on this machine named as this process names its own (left over if any remain). */
export function ownTestNamespaces(): string[] {
  return listNamespaces().filter((n) => n.startsWith(`hat-${process.pid}-`));
}

/** Namespaces this process created and has not deleted yet. */
export function liveNamespaces(): string[] {
  return [...live];
}

/** Options of a test namespace. */
export interface NamespaceOptions {
  /**
   * Address with prefix length, inside 198.18.0.0/15, e.g. "198.18.0.2/24".
   * @default - no interface besides loopback: an isolated namespace (checks that must not reach
   * any network, or that must find an interface missing)
   */
  readonly address?: string;
  /**
   * Name of the interface carrying the address.
   * @default "eth0" - the Docker platform's interface name, which generated configs refer to
   */
  readonly interfaceName?: string;
}

/** A network namespace made by this process. */
export class NetworkNamespace {
  /** Creates a namespace with loopback and, given an address, one addressed interface, all up. */
  public static create(options: NamespaceOptions = {}): NetworkNamespace {
    const parsed = options.address === undefined ? undefined : parseTestAddress(options.address);
    const ifname = options.interfaceName ?? "eth0";
    const name = uniqueNamespaceName();
    mustRun("ip", ["netns", "add", name]);
    live.add(name);
    try {
      mustRun("ip", ["-n", name, "link", "set", "lo", "up"]);
      if (parsed) {
        const [address, prefix] = parsed;
        mustRun("ip", ["-n", name, "link", "add", ifname, "type", "veth", "peer", "name", PEER_NAME]);
        mustRun("ip", ["-n", name, "addr", "add", `${address}/${prefix}`, "dev", ifname]);
        mustRun("ip", ["-n", name, "link", "set", PEER_NAME, "up"]);
        mustRun("ip", ["-n", name, "link", "set", ifname, "up"]);
        waitUntil(
          `${ifname} in ${name} to be up with ${address}`,
          () => interfaceReady(name, ifname, address),
          LINK_UP_TIMEOUT_MS,
        );
      }
    } catch (e) {
      deleteNamespace(name);
      throw e;
    }
    return new NetworkNamespace(name, parsed ? ifname : undefined, parsed?.[0], parsed?.[1]);
  }

  private constructor(
    public readonly name: string,
    /** The addressed interface; undefined in a loopback-only namespace. */
    public readonly interfaceName: string | undefined,
    public readonly address: string | undefined,
    public readonly prefixLength: number | undefined,
  ) {}

  /** Runs a command inside the namespace (`ip netns exec`), bounded by `timeoutMs`. */
  public exec(command: string, args: readonly string[], options: { readonly timeoutMs?: number } = {}) {
    return runCommand("ip", ["netns", "exec", this.name, command, ...args], options);
  }

  /** Deletes the namespace; safe to call twice. */
  public delete(): void {
    deleteNamespace(this.name);
  }
}

/** Creates a namespace, runs `fn` in it and deletes the namespace, also when `fn` throws. */
export function withNamespace<T>(options: NamespaceOptions, fn: (ns: NetworkNamespace) => T): T {
  const ns = NetworkNamespace.create(options);
  try {
    return fn(ns);
  } finally {
    ns.delete();
  }
}

/**
 * Deletes a namespace this process made. Processes still inside it were started by this process
 * (nothing else knows the name); they are killed by PID before the namespace goes.
 */
export function deleteNamespace(name: string): void {
  if (!live.has(name)) return;
  const pids = () =>
    runCommand("ip", ["netns", "pids", name])
      .lines.map(Number)
      .filter((p) => Number.isInteger(p) && p > 0);
  for (const pid of pids()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  waitUntil(`the processes in ${name} to end`, () => pids().length === 0, 5_000);
  const r = runCommand("ip", ["netns", "del", name]);
  if (r.status !== 0 && listNamespaces().includes(name)) {
    throw new Error(`cannot delete namespace ${name}: ${r.lines.join(" | ")}`);
  }
  live.delete(name);
}

/** Deletes every namespace this process made and has not deleted; returns their names. */
export function cleanupNamespaces(): string[] {
  const names = liveNamespaces();
  const errors: string[] = [];
  for (const name of names) {
    try {
      deleteNamespace(name);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) throw new Error(errors.join("; "));
  return names;
}

// Last fence: a worker that ends after a failed hook still removes its namespaces.
process.once("exit", () => {
  try {
    cleanupNamespaces();
  } catch (e) {
    console.error(`netns cleanup at exit: ${(e as Error).message}`);
  }
});

function parseTestAddress(cidr: string): [string, number] {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    throw new Error(`namespace address ${JSON.stringify(cidr)} is not ADDRESS/PREFIX`);
  }
  const [address, prefix] = parsed;
  if (address.kind() !== "ipv4" || !address.match(testRange)) {
    throw new Error(`namespace address ${cidr} is outside ${TEST_RANGE}; tests use only that range`);
  }
  return [address.toString(), prefix];
}

function interfaceReady(ns: string, ifname: string, address: string): boolean {
  const r = runCommand("ip", ["-n", ns, "-j", "addr", "show", "dev", ifname]);
  if (r.status !== 0) return false;
  const links = JSON.parse(r.stdout || "[]") as Array<{
    operstate?: string;
    addr_info?: Array<{ local?: string; tentative?: boolean }>;
  }>;
  const link = links[0];
  return link?.operstate === "UP" && (link.addr_info ?? []).some((a) => a.local === address && !a.tentative);
}
