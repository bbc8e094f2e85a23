/**
 * Node loss: every link of a host down, then every process of it killed at once, as a machine
 * that loses power. Links first, so that no RST or FIN from the dying host reaches anyone.
 * Healing starts the host afresh, as a restarted container (a new network, the same files).
 */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export async function loseNode(lab: Lab, hostname: string): Promise<InjectedFault> {
  const ifaces = lab.interfaces(hostname).map((i) => i.name);
  const atMs = nowMs();
  for (const iface of ifaces) await lab.setLink(hostname, iface, false);
  await lab.killHost(hostname);
  return {
    description: `node loss of ${hostname}: ${ifaces.join(", ")} down and every process of it killed`,
    atMs,
    heal: () => lab.startHost(hostname),
  };
}
