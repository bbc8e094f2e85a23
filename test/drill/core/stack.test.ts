import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { caught } from "../../support/errors";
import { copyOf, DRILL_EXAMPLE, type SynthesizedExample, synthesizeDrillExample } from "../fixture";

type Doc = { resource: Record<string, Record<string, Record<string, unknown>>> };

describe("parseDockerStack on the synthesized drill example", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample();
  });
  afterAll(() => example?.remove());

  test("reads the network with its subnet and gateway", () => {
    // GIVEN the synthesized vip-pair-docker-drill stack
    // WHEN it is parsed
    const stack = parseDockerStack(example.document, DRILL_EXAMPLE);

    // THEN there is one network, 198.18.0.0/24 with gateway 198.18.0.1
    expect(stack.networks).toHaveLength(1);
    expect(stack.networks[0]?.subnet.cidr).toBe("198.18.0.0/24");
    expect(stack.networks[0]?.gateway).toBe("198.18.0.1");
  });

  test("reads every container with its address, command, files, capabilities and sysctls", () => {
    // GIVEN the synthesized stack
    // WHEN it is parsed
    const stack = parseDockerStack(example.document, DRILL_EXAMPLE);

    // THEN the 3 backends and 2 load balancers are there, sorted by address, on the one network
    expect(stack.containers.map((c) => [c.hostname, c.address])).toEqual([
      ["web-0", "198.18.0.2"],
      ["web-1", "198.18.0.3"],
      ["web-2", "198.18.0.4"],
      ["edge-lb-0", "198.18.0.5"],
      ["edge-lb-1", "198.18.0.6"],
    ]);
    const network = stack.networks[0]?.key;
    expect(stack.containers.every((c) => c.network === network)).toBe(true);
    const lb = stack.containers.find((c) => c.hostname === "edge-lb-0");
    // AND a load balancer runs the generated supervisor with its files, NET_ADMIN/NET_RAW and
    // ip_nonlocal_bind
    expect(lb?.command).toEqual(["/usr/local/sbin/ha-supervise"]);
    expect(lb?.uploads.map((u) => u.file).sort()).toEqual([
      "/etc/haproxy/haproxy.cfg",
      "/etc/keepalived/ha-notify.sh",
      "/etc/keepalived/keepalived.conf",
      "/usr/local/sbin/ha-claim-VI_51",
      "/usr/local/sbin/ha-supervise",
    ]);
    expect(lb?.uploads.find((u) => u.file === "/usr/local/sbin/ha-supervise")?.executable).toBe(true);
    expect(lb?.uploads.find((u) => u.file === "/etc/haproxy/haproxy.cfg")?.executable).toBe(false);
    expect(lb?.capabilities).toEqual(["NET_ADMIN", "NET_RAW"]);
    expect(lb?.sysctls).toEqual({ "net.ipv4.ip_nonlocal_bind": "1" });
    expect(lb?.constructPath).toBe(`${DRILL_EXAMPLE}/local/edge/Node0/Resource`);
  });

  test("turns Terraform's $${ and %%{ escapes in file contents back into ${ and %{", () => {
    // GIVEN an upload whose content Terraform would unescape
    const doc = copyOf(example.document) as Doc;
    const container = Object.values(doc.resource.docker_container ?? {})[0] as {
      upload: { content: string }[];
    };
    (container.upload[0] as { content: string }).content = 'echo "$${HOME}" %%{x} 100%';

    // WHEN the stack is parsed
    const stack = parseDockerStack(doc);

    // THEN the drill places the text Terraform would upload
    expect(
      stack.containers.some((c) => c.uploads.some((u) => u.content === 'echo "${HOME}" %{x} 100%')),
    ).toBe(true);
  });

  test("throws for a stack without containers", () => {
    // GIVEN a stack with only the network
    const doc = copyOf(example.document) as Doc;
    delete doc.resource.docker_container;

    // WHEN it is parsed
    const error = caught(() => parseDockerStack(doc));

    // THEN the error says there is nothing to drill
    expect(error.message).toContain("no docker_container");
  });

  test("throws for a container address outside its network", () => {
    // GIVEN a container moved to an address outside 198.18.0.0/24
    const doc = copyOf(example.document) as Doc;
    const container = Object.values(doc.resource.docker_container ?? {})[0] as {
      networks_advanced: { ipv4_address: string }[];
    };
    (container.networks_advanced[0] as { ipv4_address: string }).ipv4_address = "198.18.1.7";

    // WHEN it is parsed
    const error = caught(() => parseDockerStack(doc));

    // THEN the error names the address and the subnet
    expect(error.message).toMatch(/ipv4_address "198\.18\.1\.7" is not inside 198\.18\.0\.0\/24/);
  });

  test.each([
    ["kernel.panic", "1"],
    ["net.ipv4.ip_forward", "1; reboot"],
  ])("throws for sysctl %s=%s, which is not a numeric net.* sysctl", (key, value) => {
    // GIVEN a container with a sysctl a namespace cannot hold (or a value that is not numeric)
    const doc = copyOf(example.document) as Doc;
    const container = Object.values(doc.resource.docker_container ?? {})[0] as {
      sysctls?: Record<string, string>;
    };
    container.sysctls = { [key]: value };

    // WHEN it is parsed
    const error = caught(() => parseDockerStack(doc));

    // THEN the drill refuses it rather than change the machine
    expect(error.message).toContain(`sysctl ${key}=`);
  });

  test.each(["/etc/../etc/passwd", "etc/relative", "/etc/a b", "/etc/x,upperdir=/"])(
    "throws for the upload path %s",
    (file) => {
      // GIVEN an upload to a path the drill cannot place safely
      const doc = copyOf(example.document) as Doc;
      const container = Object.values(doc.resource.docker_container ?? {})[0] as {
        upload: { file: string }[];
      };
      (container.upload[0] as { file: string }).file = file;

      // WHEN it is parsed
      const error = caught(() => parseDockerStack(doc));

      // THEN the path is refused
      expect(error.message).toContain("is not allowed");
    },
  );
});
