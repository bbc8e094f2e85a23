import { describe, expect, test } from "vitest";
import { parseContainer } from "../../../lib/drill/core/container";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { caught } from "../../support/errors";

/** A stack of two networks and one container attached to both, as the Docker platform writes it. */
function twoNetworkDoc(container: Record<string, unknown> = {}) {
  return {
    resource: {
      docker_network: {
        front: { name: "front", ipam_config: [{ subnet: "198.18.1.0/24", gateway: "198.18.1.1" }] },
        back: { name: "back", ipam_config: [{ subnet: "198.18.2.0/24" }] },
      },
      docker_container: {
        app: {
          name: "app-0",
          hostname: "app-0",
          command: ["/usr/bin/sleep", "600"],
          networks_advanced: [
            { name: "${docker_network.front.name}", ipv4_address: "198.18.1.5" },
            { name: "back", ipv4_address: "198.18.2.5" },
          ],
          ...container,
        },
      },
    },
  };
}

describe("parseContainer", () => {
  test("reads several attachments in Docker's interface order, eth0 first", () => {
    // GIVEN a container on two networks
    // WHEN the stack is parsed
    const stack = parseDockerStack(twoNetworkDoc());

    // THEN it has eth0 on front and eth1 on back, and its primary address is eth0's
    const app = stack.containers[0];
    expect(app?.attachments).toEqual([
      { network: "front", address: "198.18.1.5", interface: "eth0" },
      { network: "back", address: "198.18.2.5", interface: "eth1" },
    ]);
    expect(app?.address).toBe("198.18.1.5");
    expect(app?.network).toBe("front");
  });

  test("reads dns, dns_search and dns_opts", () => {
    // GIVEN a container with DNS settings
    const doc = twoNetworkDoc({
      dns: ["198.18.2.53", "198.18.2.54"],
      dns_search: ["svc.lab"],
      dns_opts: ["ndots:2", "rotate"],
    });

    // WHEN it is parsed
    const app = parseDockerStack(doc).containers[0];

    // THEN they are kept in order; a container without them has none
    expect(app?.dns).toEqual(["198.18.2.53", "198.18.2.54"]);
    expect(app?.dnsSearch).toEqual(["svc.lab"]);
    expect(app?.dnsOpts).toEqual(["ndots:2", "rotate"]);
    expect(parseDockerStack(twoNetworkDoc()).containers[0]?.dns).toEqual([]);
  });

  test.each([
    [{ dns: ["ns1.example"] }, 'dns "ns1.example" is not allowed'],
    [{ dns_search: ["a b"] }, 'dns_search "a b" is not allowed'],
    [{ dns_opts: ["ndots:2\nnameserver 1.1.1.1"] }, "dns_opts"],
  ])("throws for DNS setting %j, which could break resolv.conf", (setting, message) => {
    // GIVEN a DNS setting that is not an address, a domain or an option
    // WHEN it is parsed
    const error = caught(() => parseDockerStack(twoNetworkDoc(setting)));

    // THEN it is refused, naming the container
    expect(error.message).toContain("docker_container.app");
    expect(error.message).toContain(message);
  });

  test("throws for a container attached to one network twice", () => {
    // GIVEN two attachments to the same network
    const doc = twoNetworkDoc({
      networks_advanced: [
        { name: "front", ipv4_address: "198.18.1.5" },
        { name: "front", ipv4_address: "198.18.1.6" },
      ],
    });

    // WHEN it is parsed
    // THEN it is refused
    expect(caught(() => parseDockerStack(doc)).message).toContain("attached to network front twice");
  });

  test("throws for a container without a network", () => {
    // GIVEN a container with no networks_advanced
    const networks = parseDockerStack(twoNetworkDoc()).networks;

    // WHEN it is parsed
    const error = caught(() => parseContainer("lonely", { name: "lonely" }, networks));

    // THEN the drill says it needs a static address
    expect(error.message).toContain("at least one networks_advanced entry");
  });

  test("throws for an address on the gateway of its second network", () => {
    // GIVEN eth1 on back's gateway (198.18.2.1, the default)
    const doc = twoNetworkDoc({
      networks_advanced: [
        { name: "front", ipv4_address: "198.18.1.5" },
        { name: "back", ipv4_address: "198.18.2.1" },
      ],
    });

    // WHEN it is parsed
    // THEN it is refused
    expect(caught(() => parseDockerStack(doc)).message).toContain("uses the gateway address 198.18.2.1");
  });
});
