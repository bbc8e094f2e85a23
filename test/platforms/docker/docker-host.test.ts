import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BackendPool, HealthCheck, ValidationError, VipPair } from "../../../lib";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { dockerStack, resolvingClientSpec } from "../../support/docker-stack";
import { hostileString } from "../../support/template-values";
import { terraformLiteralText } from "../../support/terraform-template";

function containers(stack: Parameters<typeof synthJson>[0]) {
  return Object.entries(resourcesOfType(synthJson(stack), "docker_container"));
}

describe("DockerHost", () => {
  test("mounts /run as a tmpfs on every container, so state files do not survive a restart", () => {
    const { stack, platform, web } = dockerStack(2);
    new VipPair(platform, "edge", { backends: web });
    for (const [, c] of containers(stack)) expect(c.tmpfs).toEqual({ "/run": "rw,nosuid,nodev,mode=0755" });
  });

  test("starts the load balancers after every backend, also one added after the pair", () => {
    // GIVEN a pair over two backends WHEN a third is added afterwards
    const { stack, platform, web } = dockerStack(2);
    new VipPair(platform, "edge", { backends: web });
    web.addReplica();
    // THEN each LB container depends on the three backend containers, the backends on nothing
    const all = containers(stack);
    const backendIds = all
      .filter(([, c]) => String(c.hostname).startsWith("web-"))
      .map(([id]) => `docker_container.${id}`);
    expect(backendIds).toHaveLength(3);
    for (const [, c] of all) {
      if (String(c.hostname).startsWith("edge-lb-"))
        expect([...(c.depends_on as string[])].sort()).toEqual(backendIds.sort());
      else expect(c.depends_on).toBeUndefined();
    }
  });

  test("gives the demo backend a Docker health check from its HTTP check, and none for a TCP check", () => {
    const { stack, platform } = dockerStack(1);
    new BackendPool(platform, "tcp", { replicas: 1, healthCheck: HealthCheck.tcp() });
    const byHost = Object.fromEntries(containers(stack).map(([, c]) => [c.hostname, c]));
    expect(byHost["web-0"]?.healthcheck).toMatchObject({
      test: [
        "CMD",
        "/usr/bin/curl",
        "--fail",
        "--silent",
        "--output",
        "/dev/null",
        "--max-time",
        "1",
        "http://127.0.0.1:8080/healthz",
      ],
      interval: "2s",
      retries: 2,
    });
    expect(byHost["tcp-0"]?.healthcheck).toBeUndefined();
  });

  test("passes an environment value to the container as literal text, never as a Terraform template", () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        // GIVEN a pool whose environment holds an arbitrary value
        const { stack, platform } = dockerStack(1);
        try {
          new BackendPool(platform, "app", {
            replicas: 1,
            image: "nginx:1.27",
            environment: { APP_VALUE: value },
          });
        } catch (e) {
          // THEN either the pool refuses it with a ValidationError ...
          expect(e).toBeInstanceOf(ValidationError);
          return;
        }
        // ... or the container's env entry, read as Terraform reads it, is exactly the value
        const app = containers(stack).find(([, c]) => c.hostname === "app-0")?.[1];
        expect(app?.env).toHaveLength(1);
        expect(terraformLiteralText(app?.env[0])).toBe(`APP_VALUE=${value}`);
      }),
      { numRuns: 60 },
    );
  });
});

describe("DockerHost resolvers", () => {
  test("sets the container's DNS servers to the resolvers, read at synthesis", () => {
    // GIVEN a host whose resolvers are known only later
    const { stack, platform } = dockerStack(1);
    const resolvers: string[] = [];
    platform.addHost(
      platform,
      "Client",
      resolvingClientSpec(platform, () => resolvers),
    );
    resolvers.push("172.30.0.53", "2001:DB8::53");
    // WHEN synthesized THEN the container asks them, in normal form; the others keep Docker's
    const byHost = Object.fromEntries(containers(stack).map(([, c]) => [c.hostname, c]));
    expect(byHost.client?.dns).toEqual(["172.30.0.53", "2001:db8::53"]);
    // AND its resolver waits 1 s, not glibc's 5 s, for a dead server before it asks the next
    expect(byHost.client?.dns_opts).toEqual(["timeout:1", "attempts:2"]);
    expect(byHost["web-0"]?.dns).toBeUndefined();
  });

  test.each([
    ["no resolver", []],
    ["a name instead of an address", ["dns.example.test"]],
    ["ten resolvers", Array.from({ length: 10 }, (_, i) => `172.30.0.${i + 50}`)],
  ])("throws at synthesis for %s", (_what, resolvers) => {
    const { stack, platform } = dockerStack(1);
    platform.addHost(
      platform,
      "Client",
      resolvingClientSpec(platform, () => resolvers),
    );
    expect(() => synthJson(stack)).toThrow(ValidationError);
    expect(() => synthJson(stack)).toThrow(/test\/local\/Client: resolver/);
  });
});
