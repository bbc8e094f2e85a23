import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError, type VipPairProps } from "../../../../lib";
import { resourcesOfType, synthJson, synthWithValidations } from "../../../../lib/testing";
import { caught } from "../../../support/errors";
import { build, instanceOf, type Json } from "../fixture";

describe("AwsPlatform floating-address movers", () => {
  test.each([
    [
      "route table",
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      "MoveRoute",
      ["ec2:ReplaceRoute"],
      /:route-table\/\$\{aws_route_table\.cloud_RouteTable_[0-9A-F]{8}\.id\}$/,
    ],
    [
      "secondary private IP",
      { addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.0.200" },
      "MoveSecondaryPrivateIp",
      ["ec2:AssignPrivateIpAddresses"],
      /:network-interface\/\$\{aws_instance\.cloud_edge_Node[01]_[0-9A-F]{8}\.primary_network_interface_id\}$/,
    ],
    [
      "Elastic IP",
      { addressMode: FloatingAddressMode.ELASTIC_IP },
      "MoveElasticIp",
      ["ec2:AssociateAddress"],
      /(:network-interface\/\$\{aws_instance\.cloud_edge_Node[01]_[0-9A-F]{8}\.primary_network_interface_id\}|^\$\{aws_eip\.cloud_edge_Vip_ElasticIp_[0-9A-F]{8}\.arn\})$/,
    ],
  ])(
    "allows the %s mover exactly its call on exactly its resources",
    (_name, props, sid, actions, resource) => {
      // GIVEN
      const { stack } = build(props as Partial<VipPairProps>);

      // WHEN
      const json = synthJson(stack);
      const policies = Object.values(resourcesOfType(json, "aws_iam_role_policy")) as Json[];

      // THEN one policy, one statement, one action; every resource a specific ARN
      expect(policies).toHaveLength(1);
      const text: string = policies[0].policy;
      const statement = text.match(/"Statement" = \[\{(.*)\}\]\}\)\}$/)?.[1] as string;
      expect(statement).toContain(`"Sid" = "${sid}"`);
      expect(statement).toContain(`"Action" = ${JSON.stringify(actions).replace(/,/g, ", ")}`);
      const resources = [
        ...(statement.match(/"Resource" = \[(.*)\]/)?.[1] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g),
      ].map((m) => (m[1] as string).replace(/\\"/g, '"'));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r).toMatch(resource);
      expect(text).not.toContain('"*"');
      expect(synthWithValidations(stack)).toHaveResourceWithProperties(IamRolePolicy, { name: "move-VI_51" });
      // every load balancer carries the role; no backend does
      expect(instanceOf(json, "edge-lb-0").iam_instance_profile).toMatch(/aws_iam_instance_profile/);
      expect(instanceOf(json, "web-0").iam_instance_profile).toBeUndefined();
    },
  );
});

describe("AwsPlatform floating-address modes", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for gratuitous ARP on AWS",
      () => build({ addressMode: FloatingAddressMode.GRATUITOUS_ARP }),
      /the aws platform has no gratuitous-arp mode: use one of secondary-private-ip, route-table, elastic-ip/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
