import { describe, expect, test } from "vitest";
import { EngineError } from "../../../lib/drill/engine/engine-error";
import { networkCreateBody, parseNetwork } from "../../../lib/drill/engine/network-resource";

const base = {
  name: "net",
  driver: "bridge",
  ipam_config: [{ subnet: "198.18.0.0/24", gateway: "198.18.0.1" }],
};

describe("parseNetwork and networkCreateBody", () => {
  test("map the subnet, gateway, ip_range and aux_address (the VIP reservation) to the IPAM config", () => {
    // GIVEN a network whose IPAM reserves the VIP and hands out dynamic addresses from .128/25 only
    const raw = {
      ...base,
      ipam_config: [
        {
          subnet: "198.18.0.0/24",
          gateway: "198.18.0.1",
          ip_range: "198.18.0.128/25",
          aux_address: { "vip-edge": "198.18.0.10" },
        },
      ],
    };
    // WHEN
    const body = networkCreateBody(parseNetwork("n", raw), { lab: "x" });
    // THEN
    expect(body).toEqual({
      Name: "net",
      CheckDuplicate: true,
      Driver: "bridge",
      Internal: false,
      Attachable: false,
      Options: {},
      Labels: { lab: "x" },
      IPAM: {
        Driver: "default",
        Config: [
          {
            Subnet: "198.18.0.0/24",
            Gateway: "198.18.0.1",
            IPRange: "198.18.0.128/25",
            AuxiliaryAddresses: { "vip-edge": "198.18.0.10" },
          },
        ],
      },
    });
  });

  test.each([
    ["an aux_address outside the subnet", { aux_address: { vip: "198.19.0.10" } }, "aux_address vip"],
    ["a gateway outside the subnet", { gateway: "10.0.0.1" }, "gateway"],
  ])("throws for %s", (_what, extra, named) => {
    const raw = { ...base, ipam_config: [{ ...base.ipam_config[0], ...extra }] };
    expect(() => parseNetwork("n", raw)).toThrow(EngineError);
    expect(() => parseNetwork("n", raw)).toThrow(named);
  });

  test("throws for a driver other than bridge", () => {
    expect(() => parseNetwork("n", { ...base, driver: "overlay" })).toThrow(/bridge networks only/);
  });
});
