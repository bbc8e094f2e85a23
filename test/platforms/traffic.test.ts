import { describe, expect, test } from "vitest";
import { Traffic, TrafficSource, TrafficSourceKind, TrafficTransport } from "../../lib/platforms/traffic";
import { validationErrorOf } from "../support/errors";

describe("Traffic", () => {
  test.each([
    [Traffic.tcp(80), TrafficTransport.TCP, "tcp/80", 80, 80],
    [Traffic.tcp(30000, 30100), TrafficTransport.TCP, "tcp/30000-30100", 30000, 30100],
    [Traffic.udp(53), TrafficTransport.UDP, "udp/53", 53, 53],
    [Traffic.vrrp(), TrafficTransport.IP_PROTOCOL, "vrrp", undefined, undefined],
    [Traffic.ipProtocol(4, "ipip"), TrafficTransport.IP_PROTOCOL, "ipip", undefined, undefined],
  ])("describes %o", (traffic, transport, label, from, to) => {
    traffic.validate("stack/x");
    expect([traffic.transport, traffic.label, traffic.fromPort, traffic.toPort]).toEqual([
      transport,
      label,
      from,
      to,
    ]);
  });

  test("VRRP is IP protocol 112", () => {
    expect(Traffic.vrrp().protocolNumber).toBe(112);
  });

  test.each([
    [Traffic.tcp(0), "port"],
    [Traffic.udp(70000), "port"],
    [Traffic.tcp(90, 80), "give the lower port first"],
    [Traffic.ipProtocol(6, "tcp"), "use Traffic.tcp/udp"],
    [Traffic.ipProtocol(256, "x"), "0-255"],
  ])("fails for %o", (traffic, message) => {
    expect(validationErrorOf(() => traffic.validate("stack/x")).message).toContain(message);
  });
});

describe("TrafficSource", () => {
  test("names a group, the clients or a range", () => {
    expect(TrafficSource.group({ trafficGroup: "stack/web" })).toMatchObject({
      kind: TrafficSourceKind.GROUP,
      value: "stack/web",
    });
    expect(TrafficSource.clients().kind).toBe(TrafficSourceKind.CLIENTS);
    const cidr = TrafficSource.cidr("10.0.0.0/8");
    cidr.validate("stack/x");
    expect(cidr.value).toBe("10.0.0.0/8");
  });

  test("fails for a malformed range", () => {
    expect(validationErrorOf(() => TrafficSource.cidr("10.0.0.1/8").validate("stack/x")).message).toContain(
      "host bits must be zero",
    );
  });
});
