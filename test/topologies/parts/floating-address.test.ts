import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { FloatingAddress, FloatingAddressMode, VRRP_ROUTER_IDS } from "../../../lib";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

function group(nodeCount = 2) {
  const { platform } = dockerStack(1, { subnet: "198.18.0.0/24" });
  return {
    platform,
    scope: new Construct(platform, "pair"),
    group: { platform, segment: platform.defaultSegment, nodeCount },
  };
}

describe("FloatingAddress", () => {
  test("reserves its router id on the group's segment and asks the platform to move it", () => {
    const { platform, scope, group: g } = group();
    const vip = new FloatingAddress(
      scope,
      "Vip",
      g,
      { address: "198.18.0.10", virtualRouterId: 7 },
      0,
      FloatingAddressMode.GRATUITOUS_ARP,
    );
    expect([vip.address, vip.virtualRouterId, vip.preferredNode]).toEqual(["198.18.0.10", 7, 0]);
    expect(vip.node.path).toBe("test/local/pair/Vip");
    // THEN the id is taken on the segment: the next free one is 51, 7 is refused
    expect(platform.defaultSegment.reserveId("test/x", VRRP_ROUTER_IDS, "x")).toBe(51);
    expect(
      validationErrorOf(() => platform.defaultSegment.reserveId("test/y", VRRP_ROUTER_IDS, "y", 7)).message,
    ).toContain("already used on segment test/local/Network by test/local/pair/Vip");
  });

  test("takes the default preferred node unless told, within the group", () => {
    const { scope, group: g } = group(3);
    expect(new FloatingAddress(scope, "A", g, {}, 2, FloatingAddressMode.GRATUITOUS_ARP).preferredNode).toBe(
      2,
    );
    expect(
      new FloatingAddress(scope, "B", g, { preferredNode: 1 }, 2, FloatingAddressMode.GRATUITOUS_ARP)
        .preferredNode,
    ).toBe(1);
    expect(
      validationErrorOf(
        () => new FloatingAddress(scope, "C", g, { preferredNode: 3 }, 0, FloatingAddressMode.GRATUITOUS_ARP),
      ).message,
    ).toContain("test/local/pair/C: preferredNode 3");
  });
});
