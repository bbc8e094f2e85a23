import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AllUnhealthy,
  BackendPool,
  DnsAnswerSelection,
  DnsZone,
  DockerPlatform,
  fixedEndpoint,
  HealthCheck,
  HealthCheckedDnsPool,
  type HealthCheckedDnsPoolProps,
} from "../../../lib";
import { validationErrorOf } from "../../support/errors";

function setup() {
  const stack = new TerraformStack(Testing.app(), "test");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.4.0/24" });
  const web = new BackendPool(platform, "web", { replicas: 2 });
  return { stack, platform, web };
}

const open = AllUnhealthy.answerAll();

describe("HealthCheckedDnsPool validation", () => {
  test.each<[string, (web: BackendPool) => Partial<HealthCheckedDnsPoolProps>, RegExp]>([
    ["no allUnhealthy choice", () => ({ allUnhealthy: undefined }), /allUnhealthy.*answerAll\(\)/s],
    ["a TTL of 0", () => ({ ttlSeconds: 0 }), /ttlSeconds.*0/s],
    ["a TTL above an hour", () => ({ ttlSeconds: 3601 }), /ttlSeconds.*3601/s],
    ["a record name with a space", () => ({ recordName: "w w" }), /recordName.*"w w"/s],
    ["a zone name of one label", () => ({ zone: "localhost" }), /zone name.*localhost/s],
    ["a zone with a quote", () => ({ zone: 'a".example.test' }), /zone name/],
    ["no members at all", () => ({ backends: undefined }), /backends \/ endpoints.*neither/s],
    ["65 own nodes", () => ({ nodeCount: 65 }), /nodeCount.*65/s],
    ["ten DNS servers", () => ({ dnsServers: 10 }), /dnsServers.*10/s],
    ["a random count of 0", () => ({ selection: DnsAnswerSelection.random(0) }), /random count.*0/s],
    ["a fallback of no address", () => ({ allUnhealthy: AllUnhealthy.fallback() }), /fallback addresses/],
    [
      "both members and endpoints",
      () => ({
        endpoints: [
          fixedEndpoint({ name: "a", address: "198.18.9.1", port: 80, healthCheck: HealthCheck.tcp() }),
        ],
      }),
      /backends \/ endpoints.*both/s,
    ],
  ])("refuses %s, naming the construct path", (_what, change, message) => {
    const { platform, web } = setup();
    const props = { zone: "pool.example.test", backends: web, allUnhealthy: open, ...change(web) };
    const error = validationErrorOf(
      () => new HealthCheckedDnsPool(platform, "www", props as HealthCheckedDnsPoolProps),
    );
    expect(error.message).toContain("test/local/www");
    expect(error.message).toMatch(message);
  });

  test("refuses own-node props with endpoints", () => {
    const { platform } = setup();
    const endpoint = fixedEndpoint({
      name: "a",
      address: "198.18.9.1",
      port: 80,
      healthCheck: HealthCheck.tcp(),
    });
    const error = validationErrorOf(
      () =>
        new HealthCheckedDnsPool(platform, "www", {
          zone: "pool.example.test",
          endpoints: [endpoint],
          nodeCount: 3,
          allUnhealthy: open,
        }),
    );
    expect(error.message).toMatch(/nodeCount/);
  });

  test("refuses endpoints on different ports and endpoint names twice", () => {
    const { platform } = setup();
    const a = fixedEndpoint({ name: "a", address: "198.18.9.1", port: 80, healthCheck: HealthCheck.tcp() });
    const b = fixedEndpoint({ name: "b", address: "198.18.9.2", port: 81, healthCheck: a.healthCheck });
    expect(
      validationErrorOf(
        () =>
          new HealthCheckedDnsPool(platform, "p1", {
            zone: "pool.example.test",
            endpoints: [a, b],
            allUnhealthy: open,
          }),
      ).message,
    ).toMatch(/endpoint ports.*same port/s);
    expect(
      validationErrorOf(
        () =>
          new HealthCheckedDnsPool(platform, "p2", {
            zone: "pool.example.test",
            endpoints: [a, a],
            allUnhealthy: open,
          }),
      ).message,
    ).toMatch(/endpoint name.*"a"/s);
  });

  test("refuses an existing zone id that is not one", () => {
    const { platform, web } = setup();
    const error = validationErrorOf(
      () =>
        new HealthCheckedDnsPool(platform, "www", {
          zone: DnsZone.existing("example.com", "z-1; drop"),
          backends: web,
          allUnhealthy: open,
        }),
    );
    expect(error.message).toMatch(/zone id.*capital letters/s);
  });

  test("refuses a backend pool of another platform", () => {
    const { stack, platform } = setup();
    const other = new DockerPlatform(stack, "other", { subnet: "198.18.5.0/24" });
    const elsewhere = new BackendPool(other, "web2");
    const error = validationErrorOf(
      () =>
        new HealthCheckedDnsPool(platform, "www", {
          zone: "pool.example.test",
          backends: elsewhere,
          allUnhealthy: open,
        }),
    );
    expect(error.message).toMatch(/backends.*test\/other\/web2/s);
  });
});
