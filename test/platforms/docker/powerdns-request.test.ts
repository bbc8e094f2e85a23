import { describe, expect, test } from "vitest";
import { HealthCheck } from "../../../lib";
import { DnsZone } from "../../../lib/model/dns-zone";
import type { HealthCheckedNameRequest } from "../../../lib/platforms/health-checked-name";
import { validationErrorOf } from "../../support/errors";
import { dnsContainers, dnsStack, fixedMembers, nameRequest } from "./powerdns-fixture";

describe("checkPowerDnsRequest", () => {
  test.each<[string, Partial<HealthCheckedNameRequest>, RegExp]>([
    [
      "an existing zone",
      { zone: DnsZone.existing("example.com", "Z0123456789ABCDEFGHIJ") },
      /zone "DnsZone.existing\(\\"example.com\\", ...\)" is not allowed; use DnsZone.create\(name\) on Docker/,
    ],
    ["a zone name of one label", { zone: DnsZone.create("pool") }, /zone name "pool"/],
    ["a record name with a space", { recordName: "we b" }, /record name "we b"/],
    ["a record name with a final dot", { recordName: "web." }, /record name "web."/],
    [
      "a record name that names a server",
      { recordName: "ns2" },
      /record name "ns2".*ns1, ns2 name the zone's servers/,
    ],
    ["a TTL over a day", { ttlSeconds: 86_401 }, /TTL 86401/],
    ["a negative TTL", { ttlSeconds: -1 }, /TTL -1/],
    ["no members", { memberCount: 0 }, /member count 0/],
    ["65 members", { memberCount: 65 }, /member count 65/],
    ["no serverCount", { serverCount: undefined }, /serverCount undefined.*1-9/],
    ["no server", { serverCount: 0 }, /serverCount 0/],
    ["ten servers", { serverCount: 10 }, /serverCount 10/],
    ["a script check", { healthCheck: HealthCheck.script(["/usr/local/bin/check"]) }, /TCP or HTTP only/],
    [
      "an HTTP check expecting 204",
      { healthCheck: HealthCheck.http({ path: "/healthz", expectedStatus: 204 }) },
      /expectedStatus 204.*only an HTTP 200/,
    ],
    ["service port 0", { servicePort: 0 }, /service port 0/],
  ])("throws for %s, at the request's scope", (_what, overrides, message) => {
    // GIVEN a platform and a request with the defect
    const { platform, web } = dnsStack(1);
    // WHEN it is asked for
    const error = validationErrorOf(() =>
      platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web, overrides)),
    );
    // THEN a ValidationError names the request's scope and the value, and nothing was made
    expect(error.path).toBe("test/local/web");
    expect(error.message).toMatch(message);
    expect(web.node.tryFindChild("Dns")).toBeUndefined();
  });

  test("throws at synthesis for more members than 64 when they are read", () => {
    // GIVEN a request that said 2 members but has 65 when read
    const { stack, platform, web } = dnsStack(1);
    const many = Array.from({ length: 65 }, (_, i) => `198.18.1.${i + 1}`);
    platform.addHealthCheckedName(web, "Dns", nameRequest(platform, web, { members: fixedMembers(...many) }));
    // WHEN synthesized THEN the member count is refused at the request's scope
    expect(validationErrorOf(() => dnsContainers(stack)).message).toMatch(
      /test\/local\/web: member count 65 is not allowed; give a health-checked name 1-64 members/,
    );
  });

  test("accepts a check interval that is not whole seconds, rounded down as PowerDNS needs, and says so", () => {
    // GIVEN a check every 1500 ms with a 700 ms timeout
    const { platform, web } = dnsStack(1);
    const check = HealthCheck.tcp({ intervalMs: 1500, timeoutMs: 700 });
    // WHEN asked for
    const binding = platform.addHealthCheckedName(
      web,
      "Dns",
      nameRequest(platform, web, { healthCheck: check }),
    );
    // THEN PowerDNS probes every 1 s with a 1 s timeout, and the notes tell
    expect(binding.silentRemoval.ms).toBe(2000);
    expect(binding.notes).toContainEqual(
      expect.stringMatching(/intervalMs 1500 is probed every 1 s \(rounded down/),
    );
    expect(binding.notes).toContainEqual(expect.stringMatching(/timeoutMs 700 becomes 1 s \(rounded up/));
    expect(binding.notes.join(" ")).not.toMatch(/HTTP 200/);
  });
});
