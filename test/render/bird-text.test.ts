import { describe, expect, test } from "vitest";
import {
  bfdProtocolLines,
  bgpPeerLines,
  bgpTemplateLines,
  checkServiceAddresses,
  serviceSetLines,
} from "../../lib/render/bird-text";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/lb";
const TIMERS = {
  holdTimeSeconds: 9,
  keepaliveSeconds: 3,
  connectRetrySeconds: 2,
  errorWaitMinSeconds: 1,
  errorWaitMaxSeconds: 10,
};

describe("BIRD statements", () => {
  test("the service set holds each address as a /32", () => {
    // GIVEN addresses with and without /32 WHEN checked and rendered
    const addresses = checkServiceAddresses(WHERE, ["198.18.100.10", "198.18.100.11/32"]);
    // THEN the set names each once as a /32
    expect(serviceSetLines(addresses)).toEqual([
      "define SERVICE_PREFIXES = [ 198.18.100.10/32, 198.18.100.11/32 ];",
    ]);
  });

  test.each<[string, string[], RegExp]>([
    ["no address", [], /at least one/],
    ["the same address twice", ["198.18.100.10", "198.18.100.10/32"], /appears twice/],
    ["a network", ["198.18.100.0/24"], /\/32/],
  ])("throws for %s", (_what, addresses, allowed) => {
    expect(validationErrorOf(() => checkServiceAddresses(WHERE, addresses)).allowed).toMatch(allowed);
  });

  test("the BFD protocol sets interval and multiplier on every interface and says the detection time", () => {
    expect(bfdProtocolLines(WHERE, { intervalMs: 50, multiplier: 4 })).toEqual([
      "# BFD: a peer that sends nothing for 200 ms (4 × 50 ms) takes its BGP session down.",
      "protocol bfd {",
      "    debug { states, events };",
      '    interface "*" {',
      "        interval 50 ms;",
      "        multiplier 4;",
      "    };",
      "}",
    ]);
  });

  test("a BGP template carries the timers, BFD and the channel", () => {
    const text = bgpTemplateLines(WHERE, "to_x", {
      localAsn: 65000,
      passive: true,
      timers: TIMERS,
      channel: ["import none;", "export none;"],
    }).join("\n");
    expect(text).toContain("template bgp to_x {\n    local as 65000;\n");
    expect(text).toContain("    passive yes;\n    hold time 9;\n    keepalive time 3;\n");
    expect(text).toContain(
      "    connect delay time 2;\n    connect retry time 2;\n    error wait time 1, 10;\n",
    );
    expect(text).toContain("    bfd on;\n    ipv4 {\n        import none;\n        export none;\n    };\n}");
  });

  test("peers become one protocol each, with a source address when given", () => {
    const text = bgpPeerLines(WHERE, "router", {
      prefix: "router_",
      template: "to_router",
      localAsn: 65100,
      peers: [
        { name: "r1", address: "198.18.0.1", asn: 65000 },
        { name: "r2", address: "198.18.1.1", asn: 65001, localAddress: "198.18.1.11" },
      ],
    });
    expect(text).toEqual([
      "",
      "protocol bgp router_r1 from to_router {",
      "    neighbor 198.18.0.1 as 65000;",
      "}",
      "",
      "protocol bgp router_r2 from to_router {",
      "    neighbor 198.18.1.1 as 65001;",
      "    source address 198.18.1.11;",
      "}",
    ]);
  });

  test.each<[string, object, RegExp]>([
    ["a peer in the local AS (internal BGP)", { asn: 65100 }, /other than the local one/],
    ["a peer name with a dash", { name: "r-1" }, /letters, digits and '_'/],
    ["a peer address that is a name", { address: "router1" }, /unicast IPv4/],
    ["a local address with a space", { localAddress: "198.18.0.2 " }, /unicast IPv4/],
  ])("throws for %s", (_what, override, allowed) => {
    const peers = [{ name: "r1", address: "198.18.0.1", asn: 65000, ...override }];
    const build = () =>
      bgpPeerLines(WHERE, "router", { prefix: "router_", template: "t", localAsn: 65100, peers });
    expect(validationErrorOf(build).allowed).toMatch(allowed);
  });

  test("throws for two peers with one address or one name", () => {
    const peer = { name: "r1", address: "198.18.0.1", asn: 65000 };
    const build = (peers: object[]) => () =>
      bgpPeerLines(WHERE, "router", {
        prefix: "router_",
        template: "t",
        localAsn: 65100,
        peers: peers as never,
      });
    expect(validationErrorOf(build([peer, { ...peer, name: "r2" }])).message).toMatch(/router address/);
    expect(validationErrorOf(build([peer, { ...peer, address: "198.18.0.2" }])).message).toMatch(
      /router name/,
    );
    expect(validationErrorOf(build([])).message).toMatch(/router/);
  });
});
