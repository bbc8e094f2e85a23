import { describe, expect, test } from "vitest";
import { BackendPool, HealthCheck, Traffic, TrafficSourceKind } from "../../../lib";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

describe("BackendPool", () => {
  test("gives each replica an address, a host name and the platform's failure domain", () => {
    // GIVEN a pool of three on 198.18.0.0/24
    const { web } = dockerStack(3, { subnet: "198.18.0.0/24" });
    // THEN the members are the replicas, in order, from the lowest free address
    expect(web.members.map((m) => [m.name, m.address, m.port])).toEqual([
      ["web-0", "198.18.0.2", 8080],
      ["web-1", "198.18.0.3", 8080],
      ["web-2", "198.18.0.4", 8080],
    ]);
    expect(web.members.map((m) => m.componentId)).toEqual([0, 1, 2].map((i) => `test/local/web/Replica${i}`));
  });

  test("counts replicas added later", () => {
    const { web } = dockerStack(1);
    const added = web.addReplica();
    expect(added.hostname).toBe("web-1");
    expect(web.members).toHaveLength(2);
  });

  test("allowFrom opens the service and the health-check ports to a peer", () => {
    // GIVEN a pool whose check probes another port
    const { platform } = dockerStack(1);
    const api = new BackendPool(platform, "api", {
      port: 9000,
      healthCheck: HealthCheck.http({ path: "/", port: 9001 }),
    });
    // WHEN a peer is allowed in
    api.allowFrom({ trafficGroup: "test/local/edge" }, "edge to api");
    // THEN both ports are opened from the peer's group, each described
    const rules = platform.rules.filter((r) => r.toGroup === api.trafficGroup);
    expect(rules.map((r) => [r.traffic.label, r.from.kind, r.from.value, r.description])).toEqual([
      ["tcp/9000", TrafficSourceKind.GROUP, "test/local/edge", "edge to api (service)"],
      ["tcp/9001", TrafficSourceKind.GROUP, "test/local/edge", "edge to api (health check)"],
    ]);
    expect(rules[0]?.traffic).toEqual(Traffic.tcp(9000));
  });

  test.each([
    [{ replicas: 0 }, "replicas"],
    [{ port: 70000 }, "port"],
    [{ command: ["/bin/app"] }, "set `image` too"],
    [{ environment: { "BAD-NAME": "x" } }, "environment variable name"],
    [{ environment: { GOOD: "a\nb" } }, "without line breaks"],
    [{ healthCheck: HealthCheck.script(["/bin/check", "--flag"]) }, "give the script alone"],
  ])("fails for %o", (props, message) => {
    const { platform } = dockerStack(1);
    expect(validationErrorOf(() => new BackendPool(platform, "bad", props)).message).toContain(message);
  });
});
