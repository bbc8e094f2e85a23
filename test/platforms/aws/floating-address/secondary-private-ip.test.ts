import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError } from "../../../../lib";
import { haReport, synthJson } from "../../../../lib/testing";
import { caught } from "../../../support/errors";
import { build, cloudConfig, instanceOf, instances } from "../fixture";

describe("AwsPlatform secondary-private-IP mode", () => {
  test("secondary-IP mode keeps both nodes in one zone and the report says the zone is a single point of failure", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP });

    // WHEN
    const json = synthJson(stack);
    const report = haReport(stack);

    // THEN
    expect(instanceOf(json, "edge-lb-0").subnet_id).toMatch(/cloud_Subnet0_/);
    expect(instanceOf(json, "edge-lb-1").subnet_id).toMatch(/cloud_Subnet0_/);
    expect(report.singlePointsOfFailure).toEqual([
      expect.objectContaining({ kind: "failure-domain", id: "zone:az1", breaks: ["test/cloud/edge"] }),
    ]);
    expect(report.notes.join("\n")).toMatch(/one availability zone/);
    // the VIP was given out from the zone's subnet, and to no host
    const conf = cloudConfig(json, "edge-lb-0").files.get("/etc/keepalived/keepalived.conf") as string;
    const vip = conf.match(/(10\.40\.0\.\d+)\/20 dev ens5/)?.[1];
    expect(vip).toBeDefined();
    expect(instances(json).map((i) => i.private_ip)).not.toContain(vip);
    expect(conf).toContain(`unicast_src_ip ${instanceOf(json, "edge-lb-0").private_ip}`);
  });
});

describe("AwsPlatform secondary-private-IP mode validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for a secondary IP outside the nodes' subnet",
      () => build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.16.50" }),
      /keeps the VIP in the nodes' subnet: use an address inside test\/cloud\/Subnet0 \(10\.40\.0\.0\/20\)/,
    ],
    [
      "fails for a secondary IP on an AWS-reserved address",
      () => build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.0.2" }),
      /already used by AWS \(reserved\)/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
