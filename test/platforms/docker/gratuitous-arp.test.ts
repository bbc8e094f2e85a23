import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode } from "../../../lib";
import { gratuitousArpAddress } from "../../../lib/platforms/docker/gratuitous-arp";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

function setup() {
  const { platform, web } = dockerStack(2, { subnet: "198.18.0.0/24" });
  return { platform, web, scope: new Construct(platform, "vip") };
}

describe("gratuitous-ARP floating address", () => {
  test("a given address is reserved at once and added on the device keepalived is told", () => {
    const { platform, web, scope } = setup();
    const binding = gratuitousArpAddress(
      scope,
      {
        instance: "VI_51",
        address: "198.18.0.2",
        mode: FloatingAddressMode.GRATUITOUS_ARP,
        segment: platform.defaultSegment,
      },
      platform.defaultSegment,
    );
    // THEN the backends' lazily leased addresses skip it
    expect(web.members.map((m) => m.address)).toEqual(["198.18.0.3", "198.18.0.4"]);
    expect(binding.interfaceAddresses("eth1")).toEqual([
      { address: "198.18.0.2", prefixLength: 24, device: "eth1" },
    ]);
    expect([binding.hasMover, binding.singleFailureDomain, binding.bindAddress("198.18.0.9")]).toEqual([
      false,
      false,
      "198.18.0.2",
    ]);
    expect(binding.description).toBe("gratuitous ARP on test/local/Network (198.18.0.0/24)");
  });

  test("without an address it leases the next free one", () => {
    const { platform, scope } = setup();
    const binding = gratuitousArpAddress(
      scope,
      { instance: "VI_51", mode: FloatingAddressMode.GRATUITOUS_ARP, segment: platform.defaultSegment },
      platform.defaultSegment,
    );
    expect(binding.address).toBe("198.18.0.4");
  });

  test.each([
    FloatingAddressMode.ELASTIC_IP,
    FloatingAddressMode.ROUTE_TABLE,
    FloatingAddressMode.SECONDARY_PRIVATE_IP,
  ])("fails for %s", (mode) => {
    const { platform, scope } = setup();
    const error = validationErrorOf(() =>
      gratuitousArpAddress(
        scope,
        { instance: "VI_51", mode, segment: platform.defaultSegment },
        platform.defaultSegment,
      ),
    );
    expect(error.message).toContain("Docker moves addresses by gratuitous ARP only");
  });
});
