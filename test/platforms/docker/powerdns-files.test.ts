import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  namedConfText,
  powerDnsConfText,
  warmupText,
  ZONE_TTL_SECONDS,
  zoneFilePath,
  zoneText,
} from "../../../lib/platforms/docker/powerdns-files";
import type { PowerDnsPoolRecord } from "../../../lib/render/powerdns-zone";

const SERVERS = [
  { name: "ns1", address: "198.18.0.2" },
  { name: "ns2", address: "198.18.0.3" },
];
const pool = (name: string, ttlSeconds: number, members = ["198.18.0.11"]): PowerDnsPoolRecord => ({
  name,
  ttlSeconds,
  members,
  probe: { kind: "tcp", port: 8080, timeoutSeconds: 1 },
  selection: { kind: "all" },
  allUnhealthy: { kind: "none" },
});
const soa = (zone: string) => /^@ IN SOA ns1 hostmaster (\d+) 3600 600 604800 (\d+)$/m.exec(zone);

describe("PowerDNS server files", () => {
  test("derives the serial from the zone's content: the same zone, the same serial", () => {
    // GIVEN one zone rendered twice, and once with another member
    const a = zoneText("pool.example.test", SERVERS, [pool("web", 5)]);
    const b = zoneText("pool.example.test", SERVERS, [pool("web", 5)]);
    const c = zoneText("pool.example.test", SERVERS, [pool("web", 5, ["198.18.0.12"])]);
    // THEN the serial is the first 32 bits of the SHA-256 of the zone rendered with serial 0
    expect(a).toBe(b);
    const serial = Number(soa(a)?.[1]);
    const withZero = a.replace(/hostmaster \d+ /, "hostmaster 0 ");
    expect(serial).toBe(createHash("sha256").update(withZero).digest().readUInt32BE(0));
    expect(soa(c)?.[1]).not.toBe(soa(a)?.[1]);
  });

  test("caches a negative answer no longer than the shortest pool TTL, and the zone's own records 300 s", () => {
    const zone = zoneText("pool.example.test", SERVERS, [pool("web", 5), pool("api", 2)]);
    expect(soa(zone)?.[2]).toBe("2");
    expect(zone).toContain(`$TTL ${ZONE_TTL_SECONDS}\n`);
    expect(ZONE_TTL_SECONDS).toBe(300);
    const long = zoneText("pool.example.test", SERVERS, [pool("web", 3600)]);
    expect(soa(long)?.[2]).toBe("300");
  });

  test("listens on the server's address and 127.0.0.1, loads the zone from /etc/powerdns", () => {
    expect(powerDnsConfText("198.18.0.2", 3)).toMatch(/^local-address=198\.18\.0\.2, 127\.0\.0\.1$/m);
    expect(powerDnsConfText("198.18.0.2", 3)).toMatch(/^lua-health-checks-interval=3$/m);
    expect(zoneFilePath("pool.example.test")).toBe("/etc/powerdns/pool.example.test.zone");
    expect(namedConfText("pool.example.test")).toContain(
      'zone "pool.example.test" { type master; file "/etc/powerdns/pool.example.test.zone"; };',
    );
    expect(warmupText("pool.example.test", ["web.pool.example.test"])).toContain(
      "set -- web.pool.example.test\n",
    );
  });
});
