import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { describe, expect, test } from "vitest";
import { DEBIAN_AMI_OWNER, FloatingAddressMode } from "../../../lib";
import { synthJson, synthWithValidations } from "../../../lib/testing";
import { build, instances } from "./fixture";

describe("AwsPlatform AMI", () => {
  test("looks up the newest official Debian 12 AMI for every host by default", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);

    // THEN one lookup, used by every instance
    for (const i of instances(json)) expect(i.ami).toMatch(/data\.aws_ami\.cloud_DebianAmi/);
    expect(Object.keys(json.data?.aws_ami ?? {})).toHaveLength(1);
    expect(DEBIAN_AMI_OWNER).toBe("136693071363");
    expect(synthWithValidations(stack)).toHaveDataSourceWithProperties(DataAwsAmi, {
      owners: ["136693071363"],
      most_recent: true,
      filter: expect.arrayContaining([{ name: "name", values: ["debian-12-amd64-*"] }]),
    });
  });

  test("uses the user's AMI when given, and looks none up", () => {
    // GIVEN
    const { stack } = build({}, { ami: "ami-0123456789abcdef0" });

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Instance, {
      ami: "ami-0123456789abcdef0",
      tags: expect.objectContaining({ Name: "test-edge-lb-0" }),
    });
    expect(JSON.parse(synth).data?.aws_ami).toBeUndefined();
  });
});
