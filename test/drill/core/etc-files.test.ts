import { describe, expect, test } from "vitest";
import { renderHosts, renderResolvConf } from "../../../lib/drill/core/etc-files";
import type { DrillContainer } from "../../../lib/drill/core/stack";

function container(
  hostname: string,
  attachments: [string, string][],
  extra: Partial<DrillContainer> = {},
): DrillContainer {
  return {
    key: hostname,
    name: `${hostname}-c`,
    hostname,
    attachments: attachments.map(([network, address], i) => ({ network, address, interface: `eth${i}` })),
    network: attachments[0]?.[0] ?? "",
    address: attachments[0]?.[1] ?? "",
    uploads: [],
    mounts: [],
    capabilities: [],
    sysctls: {},
    env: [],
    dns: [],
    dnsSearch: [],
    dnsOpts: [],
    ...extra,
  };
}

describe("renderResolvConf", () => {
  test("names the container's dns servers, search domains and options", () => {
    // GIVEN a container with dns, dns_search and dns_opts
    const c = container("a", [["n", "198.18.0.2"]], {
      dns: ["198.18.0.53", "198.18.0.54"],
      dnsSearch: ["svc.lab", "lab"],
      dnsOpts: ["ndots:2"],
    });

    // WHEN its resolv.conf is rendered
    const text = renderResolvConf(c);

    // THEN each setting has its line, in order
    expect(text.split("\n").slice(1)).toEqual([
      "nameserver 198.18.0.53",
      "nameserver 198.18.0.54",
      "search svc.lab lab",
      "options ndots:2",
      "",
    ]);
  });

  test("without dns, points at loopback with a fast failure", () => {
    // GIVEN a container with no DNS settings
    // WHEN its resolv.conf is rendered
    const text = renderResolvConf(container("a", [["n", "198.18.0.2"]]));

    // THEN a query fails at once instead of timing out
    expect(text).toContain("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  });
});

describe("renderHosts", () => {
  test("lists the containers sharing a network, by their address on the first shared one", () => {
    // GIVEN a on front and back, b on back only, c on another network
    const a = container("a", [
      ["front", "198.18.1.2"],
      ["back", "198.18.2.2"],
    ]);
    const b = container("b", [["back", "198.18.2.3"]]);
    const c = container("c", [["other", "198.18.3.4"]]);

    // WHEN a's and b's /etc/hosts are rendered
    const ofA = renderHosts(a, [a, b, c]);
    const ofB = renderHosts(b, [a, b, c]);

    // THEN a sees itself on front and b on back; b sees a on back; nobody sees c
    expect(ofA).toContain("198.18.1.2\ta a-c\n198.18.2.3\tb b-c\n");
    expect(ofB).toContain("198.18.2.2\ta a-c\n198.18.2.3\tb b-c\n");
    expect(ofA).not.toContain("198.18.3.4");
    expect(ofA.startsWith("127.0.0.1\tlocalhost\n")).toBe(true);
  });
});
