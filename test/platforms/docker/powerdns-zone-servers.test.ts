import { describe, expect, test } from "vitest";
import { BackendPool, HealthCheck } from "../../../lib";
import { POWERDNS_PACKAGES } from "../../../lib/platforms/docker/powerdns-zone-servers";
import type { HealthCheckedNameRequest } from "../../../lib/platforms/health-checked-name";
import { validationErrorOf } from "../../support/errors";
import { dnsContainers, dnsStack, fixedMembers, nameRequest } from "./powerdns-fixture";

describe("PowerDnsZoneServers", () => {
  test.each<[string, Partial<HealthCheckedNameRequest>, RegExp]>([
    [
      "another serverCount",
      { serverCount: 3 },
      /serverCount 3 is not allowed; use 2: test\/local\/web asked for/,
    ],
    [
      "another check interval",
      { healthCheck: HealthCheck.http({ path: "/healthz", intervalMs: 2000 }) },
      /health check timing "every 2 s, timeout 1 s" is not allowed; use a check PowerDNS runs every 1 s with a 1 s timeout/,
    ],
    [
      "another check timeout",
      { healthCheck: HealthCheck.http({ path: "/healthz", intervalMs: 3000, timeoutMs: 3000 }) },
      /health check timing "every 3 s, timeout 3 s"/,
    ],
    [
      "the same record name",
      { recordName: "WEB" },
      /record name "web" is not allowed; test\/local\/web already publishes web.pool.example.test/,
    ],
  ])("throws for a second name of the zone with %s, at its scope", (_what, overrides, message) => {
    // GIVEN a name in the zone, asked for by the pool
    const { platform, web } = dnsStack(1);
    platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web));
    // WHEN another topology asks for a conflicting name in the same zone
    const error = validationErrorOf(() =>
      platform.addHealthCheckedName(
        platform,
        "Other",
        nameRequest(platform, web, { recordName: "api", ...overrides }),
      ),
    );
    // THEN a ValidationError names the second request's scope
    expect(error.path).toBe("test/local");
    expect(error.message).toMatch(message);
  });

  test("throws for a second name of the zone on another segment", () => {
    const { platform, web } = dnsStack(1);
    platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web));
    const other = platform.addSegment("Other");
    const error = validationErrorOf(() =>
      platform.addHealthCheckedName(
        platform,
        "Api",
        nameRequest(platform, web, { recordName: "api", segment: other }),
      ),
    );
    expect(error.message).toMatch(
      /segment "test\/local\/Other" is not allowed; use test\/local\/Network: test\/local\/web asked for/,
    );
  });

  test("accepts intervals that PowerDNS rounds to the same whole seconds", () => {
    // GIVEN names checked every 1000 ms and every 1500 ms (both probed every 1 s)
    const { stack, platform, web } = dnsStack(1);
    platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web));
    platform.addHealthCheckedName(
      platform,
      "Api",
      nameRequest(platform, web, {
        recordName: "api",
        members: fixedMembers("198.18.1.1"),
        healthCheck: HealthCheck.tcp({ intervalMs: 1500 }),
      }),
    );
    // WHEN synthesized THEN both are served by the same two servers
    expect(dnsContainers(stack)).toHaveLength(2);
  });

  test("places the servers in the platform's failure domains under the first request's scope", () => {
    // GIVEN a name asked for by the pool with three servers
    const { platform, web } = dnsStack(1);
    const binding = platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web, { serverCount: 3 }));
    // THEN the hosts are the pool's children Dns/Server1..3, role dns-server, in the one Docker domain
    expect(binding.servers.map((h) => h.node.path)).toEqual(
      [1, 2, 3].map((i) => `test/local/web/Dns/Server${i}`),
    );
    for (const host of binding.servers) {
      expect(host.spec.role).toBe("dns-server");
      expect(host.failureDomain.id).toBe("docker-host:local");
      expect(host.spec.trafficGroup).toBe("test/local/web/Dns");
      expect(host.spec.software.packages).toEqual([...POWERDNS_PACKAGES].sort());
    }
  });

  test("throws when a host name is taken on the platform", () => {
    // GIVEN a pool whose id gives its replicas the servers' host names
    const { platform, web } = dnsStack(1);
    new BackendPool(platform, "pool-example-test-dns", { replicas: 2 });
    // WHEN a name of the zone is asked for THEN the clash is refused
    expect(
      validationErrorOf(() => platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web))).message,
    ).toMatch(/host name "pool-example-test-dns-1" is not allowed; it is already used/);
  });
});
