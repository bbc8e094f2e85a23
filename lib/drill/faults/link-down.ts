/** Link down: one interface of a host (or all of them) down, the host itself still running. */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export async function linkDown(lab: Lab, hostname: string, iface?: string): Promise<InjectedFault> {
  const ifaces = iface ? [iface] : lab.interfaces(hostname).map((i) => i.name);
  const atMs = nowMs();
  for (const i of ifaces) await lab.setLink(hostname, i, false);
  return {
    description: `link down on ${hostname}: ${ifaces.join(", ")}`,
    atMs,
    heal: async () => {
      for (const i of ifaces) await lab.setLink(hostname, i, true);
    },
  };
}
