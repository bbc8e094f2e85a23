import { describe, expect, test } from "vitest";
import { HealthCheck } from "../../../lib";
import { DnsZone } from "../../../lib/model/dns-zone";
import { POWERDNS_CHECK_EXPIRE_SECONDS } from "../../../lib/render/powerdns-timing";
import { SUPERVISOR_PATH } from "../../../lib/render/supervisor";
import { resourcesOfType, resourceTypes, synthJson } from "../../../lib/testing";
import { resolvingClientSpec } from "../../support/docker-stack";
import { dnsContainers, dnsStack, fileOf, fixedMembers, nameRequest, ZONE } from "./powerdns-fixture";

const PDNS_CONF = "/etc/powerdns/pdns.conf";
const NAMED_CONF = "/etc/powerdns/named.conf";
const ZONE_FILE = `/etc/powerdns/${ZONE}.zone`;
const WARMUP = "/usr/local/sbin/ha-dns-warmup";

/** The settings of a pdns.conf, comments and blank lines left out. */
function settings(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.length > 0 && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The LUA record lines of a zone file. */
function luaRecords(zone: string): string[] {
  return zone.split("\n").filter((l) => / IN LUA /.test(l));
}

describe("addPowerDnsName (DockerPlatform.addHealthCheckedName)", () => {
  test("runs serverCount PowerDNS containers with the server's files, supervised, health-checked", () => {
    // GIVEN a platform with a pool of two backends
    const { stack, platform, web } = dnsStack(2);
    // WHEN a health-checked name asks for two servers
    platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    // THEN two containers run the supervisor over pdns_server and the warm-up, with these files
    const servers = dnsContainers(stack);
    expect(servers.map((s) => s.hostname)).toEqual(["pool-example-test-dns-1", "pool-example-test-dns-2"]);
    for (const s of servers) {
      expect(s.attributes.name).toBe(`test-${s.hostname}`);
      expect(s.attributes.command).toEqual([SUPERVISOR_PATH]);
      expect([...s.files.keys()].sort()).toEqual(
        [NAMED_CONF, PDNS_CONF, ZONE_FILE, SUPERVISOR_PATH, WARMUP].sort(),
      );
      expect(s.files.get(WARMUP)?.executable).toBe(true);
      expect(fileOf(s, SUPERVISOR_PATH)).toContain(
        "supervise pdns /usr/sbin/pdns_server --config-dir=/etc/powerdns &\nsupervise dns-warmup /usr/local/sbin/ha-dns-warmup &\n",
      );
      expect(s.attributes.healthcheck).toMatchObject({ test: ["CMD", WARMUP, "check"], interval: "2s" });
      expect(s.attributes.wait).toBe(true);
      expect(s.attributes.capabilities).toBeUndefined();
    }
    // AND the image installs exactly the server's packages
    const images = Object.values(resourcesOfType(synthJson(stack), "docker_image")).map((i) => i.name);
    expect(images.filter((n: string) => n.startsWith("cdktf-ha/ha-dns:"))).toHaveLength(1);
    expect(resourceTypes(synthJson(stack))).toEqual(["docker_container", "docker_image", "docker_network"]);
  });

  test("writes pdns.conf per server: its own address and 127.0.0.1, the check's interval, as pdns", () => {
    // GIVEN a name checked every 2 s
    const { stack, platform, web } = dnsStack(2);
    platform.addHealthCheckedName(
      platform,
      "Dns",
      nameRequest(platform, web, {
        healthCheck: httpCheck(2000),
      }),
    );
    // WHEN synthesized
    for (const s of dnsContainers(stack)) {
      // THEN each server listens where it is asked and probes every 2 s
      const conf = settings(fileOf(s, PDNS_CONF));
      expect(conf).toMatchObject({
        "local-address": `${s.address}, 127.0.0.1`,
        "local-port": "53",
        "bind-config": NAMED_CONF,
        "lua-health-checks-interval": "2",
        "lua-health-checks-expire-delay": String(POWERDNS_CHECK_EXPIRE_SECONDS),
        setuid: "pdns",
        setgid: "pdns",
        "socket-dir": "/run/ha",
        "write-pid": "no",
      });
      expect(fileOf(s, NAMED_CONF)).toContain(`zone "${ZONE}" { type master; file "${ZONE_FILE}"; };`);
    }
  });

  test("names the servers ns1..nsN and answers with the members as they are at synthesis", () => {
    // GIVEN a name over a pool of two WHEN a third replica is added afterwards
    const { stack, platform, web } = dnsStack(2);
    platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    web.addReplica();
    // THEN every server has the same zone file, with the servers and all three members
    const servers = dnsContainers(stack);
    const zone = fileOf(servers[0] as (typeof servers)[number], ZONE_FILE);
    expect(servers.map((s) => fileOf(s, ZONE_FILE))).toEqual([zone, zone]);
    servers.forEach((s, i) => {
      expect(zone).toContain(`@ IN NS ns${i + 1}\n`);
      expect(zone).toContain(`ns${i + 1} IN A ${s.address}\n`);
    });
    const members = web.members.map((m) => m.address);
    expect(members).toHaveLength(3);
    const [record] = luaRecords(zone);
    expect(luaRecords(zone)).toHaveLength(1);
    expect(record).toMatch(
      /^web 1 IN LUA A ";local up = ifurlup\('http:\/\/web\.pool\.example\.test:8080\/healthz', \{/,
    );
    for (const address of members) expect(record).toContain(`'${address}'`);
    // AND the SOA's negative TTL is the record's TTL, its serial a number
    expect(zone).toMatch(/^@ IN SOA ns1 hostmaster \d+ 3600 600 604800 1$/m);
  });

  test("gives the same serial for the same zone and another for other members", () => {
    // GIVEN two identical stacks and a third with one more member
    const serial = (members: string[]) => {
      const { stack, platform, web } = dnsStack(1);
      platform.addHealthCheckedName(
        platform,
        "Dns",
        nameRequest(platform, web, { members: fixedMembers(...members) }),
      );
      return /IN SOA ns1 hostmaster (\d+) /.exec(fileOf(dnsContainers(stack)[0] as never, ZONE_FILE))?.[1];
    };
    // WHEN each is synthesized THEN the serial follows the content, not the clock
    expect(serial(["198.18.1.1", "198.18.1.2"])).toBe(serial(["198.18.1.1", "198.18.1.2"]));
    expect(serial(["198.18.1.1", "198.18.1.2"])).not.toBe(serial(["198.18.1.1", "198.18.1.2", "198.18.1.3"]));
  });

  test("puts a second name of the zone in the same zone file, on the same servers", () => {
    // GIVEN a name in the zone
    const { stack, platform, web } = dnsStack(2);
    const first = platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    // WHEN another name of the zone is asked for, with fixed members
    const second = platform.addHealthCheckedName(
      platform,
      "api",
      nameRequest(platform, web, { recordName: "api", members: fixedMembers("198.18.1.1"), memberCount: 1 }),
    );
    // THEN there are still two servers, shared, answering both names
    const servers = dnsContainers(stack);
    expect(servers).toHaveLength(2);
    expect(second.servers).toEqual(first.servers);
    expect(second.fqdn).toBe(`api.${ZONE}`);
    for (const s of servers) {
      expect(luaRecords(fileOf(s, ZONE_FILE)).map((l) => l.split(" ")[0])).toEqual(["web", "api"]);
      expect(fileOf(s, WARMUP)).toContain(`set -- web.${ZONE} api.${ZONE}\n`);
    }
  });

  test("gives another zone servers of its own", () => {
    // GIVEN a name in one zone WHEN a name in another zone is asked for, with one server
    const { stack, platform, web } = dnsStack(2);
    platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    platform.addHealthCheckedName(
      platform,
      "other",
      nameRequest(platform, web, { zone: DnsZone.create("other.example.test"), serverCount: 1 }),
    );
    // THEN three servers run, each loading only its own zone
    const servers = dnsContainers(stack);
    expect(servers.map((s) => s.hostname)).toEqual([
      "other-example-test-dns-1",
      "pool-example-test-dns-1",
      "pool-example-test-dns-2",
    ]);
    expect(fileOf(servers[0] as never, NAMED_CONF)).toContain('zone "other.example.test"');
    expect((servers[0] as (typeof servers)[number]).files.has(ZONE_FILE)).toBe(false);
  });

  test("binds the name: fqdn, the servers' addresses as name servers, the timing with its arithmetic", () => {
    // GIVEN a name with the default check (every 1 s, timeout 500 ms, thresholds 2/2)
    const { stack, platform, web } = dnsStack(2);
    const binding = platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    // WHEN synthesized
    const servers = dnsContainers(stack);
    // THEN the binding names the servers and what PowerDNS's checker takes
    expect(binding.fqdn).toBe(`web.${ZONE}`);
    expect(binding.servers.map((h) => h.hostname)).toEqual(servers.map((s) => s.hostname));
    expect(binding.nameServers).toEqual(servers.map((s) => s.address));
    expect(binding.refusedRemoval.ms).toBe(1000);
    expect(binding.silentRemoval).toEqual({
      ms: 2000,
      arithmetic: "round max(interval 1 s, probe timeout 1 s) = 1 s + probe timeout 1 s = 2 s",
    });
    expect(binding.return.ms).toBe(2000);
    expect(binding.checker).toMatch(/each of the 2 PowerDNS servers probes every member itself \(ifurlup/);
    expect(binding.notes).toContainEqual(
      expect.stringMatching(/healthyThreshold 2 and unhealthyThreshold 2 are not honoured/),
    );
    expect(binding.notes).toContainEqual(expect.stringMatching(/Only HTTP 200 counts/));
    expect(binding.notes).toContainEqual(expect.stringMatching(/timeoutMs 500 becomes 1 s/));
  });

  test("states the DNS flows: clients to the servers on UDP and TCP 53, the servers to the members' probe port", () => {
    // GIVEN a name over a pool whose check probes port 9000
    const { stack, platform, web } = dnsStack(2);
    platform.addHealthCheckedName(
      platform,
      "Dns",
      nameRequest(platform, web, { healthCheck: httpCheck(1000, 9000) }),
    );
    // WHEN synthesized (the members, and so their traffic groups, are read then)
    synthJson(stack);
    // THEN these rules were asked for, each once
    const group = "test/local/Dns";
    expect(platform.rules.map((r) => `${r.from.value} -> ${r.toGroup}: ${r.traffic.label}`).sort()).toEqual(
      [
        `clients -> ${group}: tcp/53`,
        `clients -> ${group}: udp/53`,
        `${group} -> ${web.trafficGroup}: tcp/9000`,
      ].sort(),
    );
  });

  test("sets a host's DNS servers from its resolvers, so a client resolves the name through the servers", () => {
    // GIVEN a name and a client host whose resolvers are the name's servers
    const { stack, platform, web } = dnsStack(1);
    const binding = platform.addHealthCheckedName(platform, "Dns", nameRequest(platform, web));
    const client = resolvingClientSpec(platform, () => binding.nameServers);
    platform.addHost(platform, "Client", client);
    // WHEN synthesized THEN the client container asks the two servers
    const containers = Object.values(resourcesOfType(synthJson(stack), "docker_container"));
    const byName = Object.fromEntries(containers.map((c) => [c.hostname, c]));
    expect(byName.client?.dns).toEqual(dnsContainers(stack).map((s) => s.address));
    expect(byName["pool-example-test-dns-1"]?.dns).toBeUndefined();
  });
});

/** An HTTP /healthz check every `intervalMs`, probing `port` when given. */
function httpCheck(intervalMs: number, port?: number) {
  return HealthCheck.http({ path: "/healthz", intervalMs, ...(port ? { port } : {}) });
}
