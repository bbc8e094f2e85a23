/**
 * Namespaces joined by a bridge, for daemons that talk to each other from addresses of their own
 * (etcd members, Patroni nodes, routers).
 *
 * The bridge lives in a namespace of its own ("the switch"); each member namespace gets one end
 * of a veth pair as `eth0` with its address from 198.18.0.0/15, the other end on the bridge.
 * Nothing is added to the host's namespace, and deleting the namespaces (`cleanupNamespaces`)
 * deletes the bridge and every link with them.
 */
import { NetworkNamespace, runCommand, waitUntil } from "../support/netns";

function mustRun(command: string, args: readonly string[]): void {
  const r = runCommand(command, args);
  if (r.status !== 0) throw new Error(`${r.command} failed: ${r.lines.join(" | ")}`);
}

/** A switch namespace with a bridge and one namespace per address. */
export class BridgedNamespaces {
  /** Creates the switch and one namespace per `address` (with prefix, e.g. "198.18.0.2/24"). */
  public static create(addresses: readonly string[]): BridgedNamespaces {
    const sw = NetworkNamespace.create();
    const members: NetworkNamespace[] = [];
    const lab = new BridgedNamespaces(sw, members);
    try {
      mustRun("ip", ["-n", sw.name, "link", "add", "br0", "type", "bridge"]);
      mustRun("ip", ["-n", sw.name, "link", "set", "br0", "up"]);
      addresses.forEach((cidr, i) => {
        if (!cidr.startsWith("198.18.") && !cidr.startsWith("198.19."))
          throw new Error(`address ${cidr} is outside 198.18.0.0/15`);
        const ns = NetworkNamespace.create();
        members.push(ns);
        const port = `port${i}`;
        mustRun("ip", [
          "-n",
          sw.name,
          "link",
          "add",
          port,
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "netns",
          ns.name,
        ]);
        mustRun("ip", ["-n", sw.name, "link", "set", port, "master", "br0", "up"]);
        mustRun("ip", ["-n", ns.name, "addr", "add", cidr, "dev", "eth0"]);
        mustRun("ip", ["-n", ns.name, "link", "set", "eth0", "up"]);
      });
      addresses.forEach((cidr, i) => {
        const ns = members[i] as NetworkNamespace;
        const address = cidr.slice(0, cidr.indexOf("/"));
        waitUntil(
          `eth0 of ${ns.name} up with ${address}`,
          () => {
            const r = runCommand("ip", ["-n", ns.name, "-j", "addr", "show", "dev", "eth0"]);
            const link = (
              JSON.parse(r.stdout || "[]") as Array<{
                operstate?: string;
                addr_info?: Array<{ local?: string; tentative?: boolean }>;
              }>
            )[0];
            return (
              link?.operstate === "UP" &&
              (link.addr_info ?? []).some((a) => a.local === address && !a.tentative)
            );
          },
          3000,
        );
      });
    } catch (e) {
      lab.delete();
      throw e;
    }
    return lab;
  }

  private constructor(
    public readonly switchNamespace: NetworkNamespace,
    /** One namespace per address, in the order given. */
    public readonly members: NetworkNamespace[],
  ) {}

  /** Deletes every namespace of the lab (processes still in them are killed by PID). */
  public delete(): void {
    for (const ns of this.members) ns.delete();
    this.switchNamespace.delete();
  }
}
