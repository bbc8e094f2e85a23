/**
 * What a health-checked name on PowerDNS gives its topology: the name, its servers, and the
 * times PowerDNS 4.7's checker takes, with the arithmetic and where it differs from the portable
 * check.
 */
import { HealthCheckKind } from "../../model/health-check";
import type { HealthCheckedNameBinding } from "../health-checked-name";
import type { PowerDnsNameRequest } from "./powerdns-request";
import type { PowerDnsZoneServers } from "./powerdns-zone-servers";

/** The binding of `name`, served by `servers`. */
export function powerDnsBinding(
  servers: PowerDnsZoneServers,
  name: PowerDnsNameRequest,
): HealthCheckedNameBinding {
  const { intervalSeconds: interval, timeoutSeconds: timeout } = name.timing;
  const round = Math.max(interval, timeout);
  const roundText = `max(interval ${interval} s, probe timeout ${timeout} s) = ${round} s`;
  const hosts = [...servers.hosts];
  return {
    fqdn: name.fqdn,
    // Read at synthesis: reading a host's address fixes the segment's open leases.
    get nameServers(): readonly string[] {
      return hosts.map((h) => h.address);
    },
    servers: hosts,
    checker: `each of the ${hosts.length} PowerDNS servers probes every member itself (${probeText(name)}) once per round, every ${interval} s`,
    refusedRemoval: {
      ms: name.timing.refusedRemovalTimeMs,
      arithmetic: `one round ${roundText}: a refused connection fails its probe at once, and one failed probe removes the member`,
    },
    silentRemoval: {
      ms: name.timing.removalTimeMs,
      arithmetic: `round ${roundText} + probe timeout ${timeout} s = ${round + timeout} s`,
    },
    return: {
      ms: name.timing.removalTimeMs,
      arithmetic: `the next round starts within ${roundText}, and its probe passes within the probe timeout ${timeout} s: ${round + timeout} s`,
    },
    notes: notesOf(name),
  };
}

function probeText(name: PowerDnsNameRequest): string {
  const probe = name.probe;
  if (probe.kind === "tcp") return `ifportup: a TCP connection to port ${probe.port}`;
  return `ifurlup: GET http://${probe.hostName}:${probe.port}${probe.path}, HTTP 200 only`;
}

function notesOf(name: PowerDnsNameRequest): string[] {
  const check = name.request.healthCheck;
  const { intervalSeconds, timeoutSeconds } = name.timing;
  const notes = [
    `One probe decides: PowerDNS 4.7 has no rise/fall counts, so healthyThreshold ${check.healthyThreshold} and unhealthyThreshold ${check.unhealthyThreshold} are not honoured; one failed probe removes a member, one passing probe brings it back.`,
    "Each server probes on its own: for up to one round after a change, two servers may answer differently.",
    "A server that (re)starts answers with the all-unhealthy answer until its first round has run; its warm-up queries every name of the zone as soon as it answers, so the first round runs before clients ask.",
  ];
  if (check.kind === HealthCheckKind.HTTP) {
    notes.push("Only HTTP 200 counts as healthy (PowerDNS follows redirects).");
  }
  if (check.intervalMs !== intervalSeconds * 1000) {
    notes.push(
      `PowerDNS counts the interval in whole seconds: intervalMs ${check.intervalMs} is probed every ${intervalSeconds} s (rounded down, at least 1 s, so it probes at least as often as asked).`,
    );
  }
  if (check.timeoutMs !== timeoutSeconds * 1000) {
    notes.push(
      `PowerDNS counts timeouts in whole seconds: timeoutMs ${check.timeoutMs} becomes ${timeoutSeconds} s (rounded up, at least 1 s).`,
    );
  }
  return notes;
}
