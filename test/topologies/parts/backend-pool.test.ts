import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  type BackendPoolProps,
  DockerPlatform,
  HealthCheck,
  Traffic,
  TrafficSourceKind,
} from "../../../lib";
import { badInputTable } from "../../support/bad-inputs";
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

describe("BackendPool bad inputs", () => {
  const on =
    (props: BackendPoolProps, id = "app") =>
    () =>
      new BackendPool(dockerStack(1).platform, id, props);
  badInputTable([
    {
      name: "no replicas",
      build: on({ replicas: 0 }),
      path: "test/local/app",
      value: 0,
      allowed: "from 1 to 1000",
    },
    {
      name: "half a replica",
      build: on({ replicas: 1.5 }),
      path: "test/local/app",
      value: 1.5,
      allowed: "whole number",
    },
    {
      name: "a port out of range",
      build: on({ port: 70000 }),
      path: "test/local/app",
      value: 70000,
      allowed: "1 to 65535",
    },
    {
      name: "an image with capitals",
      build: on({ image: "NGINX:latest" }),
      path: "test/local/app/Replica0",
      value: "NGINX:latest",
      allowed: "image reference",
    },
    {
      name: "a command without an image",
      build: on({ command: ["/app"] }),
      path: "test/local/app",
      value: ["/app"],
      allowed: "set `image` too",
    },
    {
      name: "a command argument with a space",
      build: on({ image: "nginx:1.27", command: ["/app", "a b"] }),
      path: "test/local/app",
      value: "a b",
      allowed: "no spaces",
    },
    {
      name: "an environment name with '-'",
      build: on({ environment: { "A-B": "x" } }),
      path: "test/local/app",
      value: "A-B",
      allowed: "letters, digits and '_'",
    },
    {
      name: "an environment value with a line break",
      build: on({ environment: { A: "x\ny" } }),
      path: "test/local/app",
      value: "x\ny",
      allowed: "without line breaks",
    },
    {
      name: "an id taken",
      build: on({}, "web"),
      path: "test/local/web",
      value: "web",
      allowed: "already has a child",
    },
    {
      name: "an id with a space",
      build: on({}, "my app"),
      path: "test/local/my app",
      value: "my app",
      allowed: "letters, digits",
    },
    {
      name: "a health check path without '/'",
      build: on({ healthCheck: HealthCheck.http({ path: "healthz" }) }),
      path: "test/local/app",
      value: "healthz",
      allowed: "starts with '/'",
    },
    {
      name: "a health check interval below 100 ms",
      build: on({ healthCheck: HealthCheck.http({ path: "/", intervalMs: 10 }) }),
      path: "test/local/app",
      value: 10,
      allowed: "from 100",
    },
    {
      name: "a script check with arguments",
      build: on({ healthCheck: HealthCheck.script(["/bin/check", "--fast"]) }),
      path: "test/local/app",
      value: ["/bin/check", "--fast"],
      allowed: "give the script alone",
    },
    {
      name: "a segment of another platform",
      build: () => {
        const { stack, platform } = dockerStack(1);
        const other = new DockerPlatform(stack, "other");
        new BackendPool(platform, "app", { segment: other.defaultSegment });
      },
      path: "test/local/app",
      value: "test/other/Network",
      allowed: "attach hosts to a segment of test/local",
    },
    {
      name: "no platform above it",
      build: () => new BackendPool(new TerraformStack(Testing.app(), "s"), "app"),
      path: "s/app",
      value: "s/app",
      allowed: "create topologies under a platform",
    },
  ]);
});
