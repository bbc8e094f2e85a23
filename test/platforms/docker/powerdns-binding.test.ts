import { describe, expect, test } from "vitest";
import { HealthCheck } from "../../../lib";
import { dnsContainers, dnsStack, nameRequest } from "./powerdns-fixture";

describe("powerDnsBinding", () => {
  test.each([
    {
      name: "HTTP every 1 s, timeout 500 ms",
      check: HealthCheck.http({ path: "/healthz" }),
      refused: [
        1000,
        "one round max(interval 1 s, probe timeout 1 s) = 1 s: a refused connection fails its probe at once, and one failed probe removes the member",
      ],
      silent: [2000, "round max(interval 1 s, probe timeout 1 s) = 1 s + probe timeout 1 s = 2 s"],
      back: [
        2000,
        "the next round starts within max(interval 1 s, probe timeout 1 s) = 1 s, and its probe passes within the probe timeout 1 s: 2 s",
      ],
    },
    {
      name: "TCP every 5 s, timeout 3 s",
      check: HealthCheck.tcp({
        intervalMs: 5000,
        timeoutMs: 3000,
        healthyThreshold: 3,
        unhealthyThreshold: 4,
      }),
      refused: [
        5000,
        "one round max(interval 5 s, probe timeout 3 s) = 5 s: a refused connection fails its probe at once, and one failed probe removes the member",
      ],
      silent: [8000, "round max(interval 5 s, probe timeout 3 s) = 5 s + probe timeout 3 s = 8 s"],
      back: [
        8000,
        "the next round starts within max(interval 5 s, probe timeout 3 s) = 5 s, and its probe passes within the probe timeout 3 s: 8 s",
      ],
    },
  ])("gives the checker's times with their arithmetic: $name", ({ check, refused, silent, back }) => {
    // GIVEN a name with the check
    const { platform, web } = dnsStack(1);
    // WHEN asked for
    const binding = platform.addHealthCheckedName(
      web,
      "Dns",
      nameRequest(platform, web, { healthCheck: check }),
    );
    // THEN the times are PowerDNS's, in ms, each with the sum written out
    expect(binding.refusedRemoval).toEqual({ ms: refused[0], arithmetic: refused[1] });
    expect(binding.silentRemoval).toEqual({ ms: silent[0], arithmetic: silent[1] });
    expect(binding.return).toEqual({ ms: back[0], arithmetic: back[1] });
    expect(binding.notes[0]).toBe(
      `One probe decides: PowerDNS 4.7 has no rise/fall counts, so healthyThreshold ${check.healthyThreshold} and unhealthyThreshold ${check.unhealthyThreshold} are not honoured; one failed probe removes a member, one passing probe brings it back.`,
    );
  });

  test("says how the checker probes, and gives the servers' addresses as name servers", () => {
    // GIVEN a TCP-checked name on three servers
    const { stack, platform, web } = dnsStack(1);
    const binding = platform.addHealthCheckedName(
      web,
      "Dns",
      nameRequest(platform, web, {
        healthCheck: HealthCheck.tcp({ port: 9000, timeoutMs: 1000 }),
        serverCount: 3,
      }),
    );
    // THEN the checker line names the probe, and the name servers are the servers' addresses
    expect(binding.checker).toBe(
      "each of the 3 PowerDNS servers probes every member itself (ifportup: a TCP connection to port 9000) once per round, every 1 s",
    );
    expect(binding.nameServers).toEqual(dnsContainers(stack).map((s) => s.address));
    expect(binding.notes.join(" ")).not.toMatch(/rounded/);
  });
});
