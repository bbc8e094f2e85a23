/**
 * Network namespaces of the engine lab: the daemon's own (loopback only, so nothing in it has a
 * route out) and client namespaces plugged into a stack network's bridge by a veth pair.
 * Names are `hae-<pid>-<n>`; deletion kills the processes inside by PID first.
 */
import { registerCleanup } from "../core/cleanup-registry";
import { EngineError } from "./engine-error";
import { hostCommand, mustHostCommand, signal, waitGoneSync } from "./host-commands";

let counter = 0;

/** A fresh namespace name unique to this process. */
export function namespaceName(): string {
  counter += 1;
  return `hae-${process.pid}-${counter}`;
}

/** PIDs of the processes in namespace `name`. */
export function namespacePids(name: string): number[] {
  const r = hostCommand("ip", ["netns", "pids", name]);
  return r.stdout
    .split("\n")
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0);
}

/** Kills what runs in `name` by PID, then deletes it; quiet when it is already gone. */
export function deleteNamespaceSync(name: string): void {
  const list = hostCommand("ip", ["netns", "list"]).stdout;
  if (!list.split("\n").some((l) => l.split(" ")[0] === name)) return;
  for (const pid of namespacePids(name)) {
    signal(pid, "SIGKILL");
    waitGoneSync(pid, 5_000);
  }
  const r = hostCommand("ip", ["netns", "del", name]);
  if (r.status !== 0) throw new EngineError(`cannot delete namespace ${name}: ${r.stderr.trim()}`);
}

/** A namespace made by the lab, deleted by `delete()` or, failing that, at exit. */
export class LabNamespace {
  /** Creates a namespace with loopback up and nothing else. */
  public static create(): LabNamespace {
    const name = namespaceName();
    mustHostCommand("ip", ["netns", "add", name]);
    const unregister = registerCleanup(`namespace ${name}`, () => deleteNamespaceSync(name));
    const ns = new LabNamespace(name, unregister);
    try {
      mustHostCommand("ip", ["-n", name, "link", "set", "lo", "up"]);
    } catch (e) {
      ns.delete();
      throw e;
    }
    return ns;
  }

  /** A namespace made earlier (by a daemon record), to delete it. */
  public static adopt(name: string): LabNamespace {
    return new LabNamespace(name, () => undefined);
  }

  private constructor(
    readonly name: string,
    private readonly unregister: () => void,
  ) {}

  /** `/run/netns/<name>`, for `nsenter --net=`. */
  public get path(): string {
    return `/run/netns/${this.name}`;
  }

  /** Keeps the namespace past this process (its owner records and deletes it later). */
  public release(): void {
    this.unregister();
  }

  /** Deletes the namespace (killing what runs in it); safe to call twice. */
  public delete(): void {
    deleteNamespaceSync(this.name);
    this.unregister();
  }
}

/** Where a client namespace attaches: a bridge in the daemon's namespace, and an address. */
export interface ClientAttachment {
  /** Namespace holding the bridge (the daemon's). */
  readonly bridgeNamespace: string;
  readonly bridge: string;
  /** Address with prefix, e.g. `198.18.0.254/24`. */
  readonly address: string;
}

/**
 * A namespace whose `eth0` is plugged into a stack network's bridge: a client that reaches the
 * containers as another host on their network would.
 */
export function attachClientNamespace(attachment: ClientAttachment): LabNamespace {
  const ns = LabNamespace.create();
  const host = `hae-c${process.pid % 10000}-${counter}`.slice(0, 15);
  try {
    const inBridge = ["-n", attachment.bridgeNamespace];
    mustHostCommand("ip", [
      ...inBridge,
      "link",
      "add",
      host,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      ns.name,
    ]);
    mustHostCommand("ip", [...inBridge, "link", "set", host, "master", attachment.bridge, "up"]);
    mustHostCommand("ip", ["-n", ns.name, "addr", "add", attachment.address, "dev", "eth0"]);
    mustHostCommand("ip", ["-n", ns.name, "link", "set", "eth0", "up"]);
  } catch (e) {
    ns.delete();
    throw e;
  }
  return ns;
}
