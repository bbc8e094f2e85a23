/**
 * The name-resolution files a lab gives each host, as a container on user-defined Docker networks
 * would see them: /etc/hosts with the stack's containers that share a network with it, and
 * /etc/resolv.conf from the container's `dns`, `dns_search` and `dns_opts`.
 */
import type { DrillContainer } from "./stack";

/**
 * /etc/hosts: localhost, then every container that shares a network with `self` (itself too),
 * by its address on the first network they share, under its host name and container name.
 */
export function renderHosts(self: DrillContainer, containers: readonly DrillContainer[]): string {
  const mine = self.attachments.map((a) => a.network);
  const entries: string[] = [];
  for (const peer of containers) {
    const network = mine.find((n) => peer.attachments.some((a) => a.network === n));
    const attachment = peer.attachments.find((a) => a.network === network);
    if (!attachment) continue;
    entries.push(`${attachment.address}\t${[...new Set([peer.hostname, peer.name])].join(" ")}`);
  }
  return ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", ...entries, ""].join("\n");
}

/**
 * /etc/resolv.conf. With `dns` set, its servers (Docker's embedded resolver would forward to
 * them; the lab has none, so they are named directly). Without, loopback, where a query fails at
 * once instead of timing out (Python's HTTPServer, for one, looks up its bind address's FQDN).
 */
export function renderResolvConf(container: DrillContainer): string {
  const servers = container.dns.length ? container.dns : ["127.0.0.1"];
  const options = container.dnsOpts.length
    ? container.dnsOpts
    : container.dns.length
      ? []
      : ["timeout:1", "attempts:1"];
  return [
    container.dns.length
      ? "# ha-drill: the container's dns setting"
      : "# ha-drill: no dns setting, no DNS server",
    ...servers.map((s) => `nameserver ${s}`),
    ...(container.dnsSearch.length ? [`search ${container.dnsSearch.join(" ")}`] : []),
    ...(options.length ? [`options ${options.join(" ")}`] : []),
    "",
  ].join("\n");
}
