import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EngineError } from "../../../lib/drill/engine/engine-error";
import { checkSubnetsWithin, creationWaves, parseEngineStack } from "../../../lib/drill/engine/engine-stack";
import { at, copyOf, type Json, resourceOf, resources, synthesizeExample } from "./fixture";

const example = synthesizeExample();
afterAll(() => example.remove());

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return (e as Error).message;
  }
  throw new Error("expected an EngineError");
}

describe("parseEngineStack", () => {
  test("reads every docker resource of the synthesized VIP pair", () => {
    // WHEN
    const stack = parseEngineStack(example.document, example.stackFile);
    // THEN
    expect(stack.name).toBe("vip-pair-docker-drill");
    expect(stack.images.map((i) => i.name).sort()).toEqual([
      expect.stringMatching(/^cdktf-ha\/ha-demo-backend:/),
      expect.stringMatching(/^cdktf-ha\/ha-lb:/),
    ]);
    expect(stack.images[0]?.contextDir.startsWith(join(example.stackFile, "..", "assets"))).toBe(true);
    expect(stack.networks.map((n) => [n.name, n.ipam[0]?.subnet])).toEqual([
      ["vip-pair-docker-drill-local", "198.18.0.0/24"],
    ]);
    expect(stack.containers.map((c) => c.hostname).sort()).toEqual([
      "edge-lb-0",
      "edge-lb-1",
      "web-0",
      "web-1",
      "web-2",
    ]);
    const lb = stack.containers.find((c) => c.hostname === "edge-lb-0");
    expect(lb?.capAdd).toEqual(["NET_ADMIN", "NET_RAW"]);
    expect(lb?.healthcheck?.intervalNs).toBe(2e9);
    expect(lb?.uploads.find((u) => u.file === "/usr/local/sbin/ha-supervise")?.executable).toBe(true);
  });

  test.each([
    [
      "a container attribute",
      (d: Json) => (resourceOf(d, "docker_container", "Node0").privileged = true),
      '"privileged"',
    ],
    [
      "a nested healthcheck attribute",
      (d: Json) => (at(resourceOf(d, "docker_container", "Node0"), "healthcheck").start_interval = "1s"),
      '"start_interval"',
    ],
    [
      "an upload attribute",
      (d: Json) => (at(resourceOf(d, "docker_container", "Replica0"), "upload", 0).source = "/etc/passwd"),
      '"source"',
    ],
    ["a network attribute", (d: Json) => (resourceOf(d, "docker_network", "Network").ipv6 = true), '"ipv6"'],
    [
      "an IPAM attribute",
      (d: Json) => (at(resourceOf(d, "docker_network", "Network"), "ipam_config", 0).ipv6 = true),
      '"ipv6"',
    ],
    [
      "an image build attribute",
      (d: Json) => (at(resourceOf(d, "docker_image", "ha-lb"), "build").target = "x"),
      '"target"',
    ],
    [
      "a resource type",
      (d: Json) => (at(d, "resource").docker_plugin = { p: { name: "p" } }),
      '"docker_plugin"',
    ],
    ["a data source", (d: Json) => (d.data = {}), '"data"'],
  ])("fails naming %s it does not understand", (_what, alter, named) => {
    // GIVEN a stack with an attribute the deployer does not map
    const document = copyOf(example.document);
    alter(document);
    // THEN the deploy fails before it starts, naming the attribute
    expect(errorOf(() => parseEngineStack(document, example.stackFile))).toContain(named);
  });

  test("fails for a Terraform expression it cannot evaluate", () => {
    const document = copyOf(example.document);
    resourceOf(document, "docker_container", "Replica0").env = ["A=${var.a}"];
    expect(errorOf(() => parseEngineStack(document, example.stackFile))).toContain("${var.a}");
  });

  test("creates containers after what they depend on, in key order otherwise", () => {
    // GIVEN the synthesized stack, whose load balancers depend on the backends
    const synthesized = parseEngineStack(example.document, example.stackFile).containers.map(
      (c) => c.hostname,
    );
    // THEN the backends come first
    expect(synthesized).toEqual(["web-0", "web-1", "web-2", "edge-lb-0", "edge-lb-1"]);
    // AND without depends_on, key order puts the load balancers first
    const document = copyOf(example.document);
    for (const c of Object.values(resources(document, "docker_container"))) delete c.depends_on;
    expect(parseEngineStack(document, example.stackFile).containers.map((c) => c.hostname)).toEqual([
      "edge-lb-0",
      "edge-lb-1",
      "web-0",
      "web-1",
      "web-2",
    ]);
  });

  test("groups the containers in waves as Terraform creates them: the backends side by side, then the load balancers", () => {
    // GIVEN the synthesized stack, whose load balancers depend on the backends
    const stack = parseEngineStack(example.document, example.stackFile);
    // WHEN it is grouped in waves
    const waves = creationWaves(stack.containers).map((w) => w.map((c) => c.hostname));
    // THEN the backends come first, together, and the load balancers after them
    expect(waves).toEqual([
      ["web-0", "web-1", "web-2"],
      ["edge-lb-0", "edge-lb-1"],
    ]);
    // AND without depends_on, everything is one wave
    const document = copyOf(example.document);
    for (const c of Object.values(resources(document, "docker_container"))) delete c.depends_on;
    expect(creationWaves(parseEngineStack(document, example.stackFile).containers)).toHaveLength(1);
  });

  test("fails for a depends_on cycle", () => {
    const document = copyOf(example.document);
    const keys = Object.keys(resources(document, "docker_container"));
    resources(document, "docker_container")[keys[0] as string].depends_on = [`docker_container.${keys[1]}`];
    resources(document, "docker_container")[keys[1] as string].depends_on = [`docker_container.${keys[0]}`];
    expect(errorOf(() => parseEngineStack(document, example.stackFile))).toContain("cycle");
  });
});

describe("checkSubnetsWithin", () => {
  test("accepts the drill stack and refuses a 172.x stack", () => {
    const stack = parseEngineStack(example.document, example.stackFile);
    expect(() => checkSubnetsWithin(stack, "198.18.0.0/15")).not.toThrow();
    const document = copyOf(example.document);
    resourceOf(document, "docker_network", "Network").ipam_config = [{ subnet: "172.30.0.0/24" }];
    for (const c of Object.values(resources(document, "docker_container")))
      delete at(c, "networks_advanced", 0).ipv4_address;
    const other = parseEngineStack(document, example.stackFile);
    expect(errorOf(() => checkSubnetsWithin(other, "198.18.0.0/15"))).toContain("172.30.0.0/24");
  });
});
