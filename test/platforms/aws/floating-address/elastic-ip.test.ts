import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError } from "../../../../lib";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { caught } from "../../../support/errors";
import { build, cloudConfig, instanceOf } from "../fixture";

describe("AwsPlatform Elastic-IP mode", () => {
  test("Elastic-IP mode binds HAProxy to each node's own address and puts the public address on loopback", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ELASTIC_IP });

    // WHEN
    const json = synthJson(stack);
    const lb1 = cloudConfig(json, "edge-lb-1");

    // THEN
    expect(lb1.files.get("/etc/haproxy/haproxy.cfg")).toContain(
      `bind ${instanceOf(json, "edge-lb-1").private_ip}:80`,
    );
    expect(lb1.files.get("/etc/keepalived/keepalived.conf")).toMatch(
      /\$\{aws_eip\.cloud_edge_Vip_ElasticIp_[0-9A-F]{8}\.public_ip\}\/32 dev lo/,
    );
    expect(Object.keys(resourcesOfType(json, "aws_eip"))).toHaveLength(1);
  });
});

describe("AwsPlatform Elastic-IP mode validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for an Elastic IP given an address",
      () => build({ addressMode: FloatingAddressMode.ELASTIC_IP, virtualIp: "203.0.113.5" }),
      /AWS allocates the Elastic IP/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
