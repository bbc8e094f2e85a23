import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError, type VipPairProps } from "../../../../lib";
import { resourcesOfType, synthJson, synthWithValidations } from "../../../../lib/testing";
import { caught } from "../../../support/errors";
import { build, instanceOf, type Json } from "../fixture";

/**
 * An ENI's ARN: the first five fields of its instance's own ARN (partition, service, region,
 * account), then the instance's primary interface, both of the same node.
 */
const INTERFACE_ARN =
  /^"\$\{join\(":", slice\(split\(":", aws_instance\.(cloud_edge_Node[01]_[0-9A-F]{8})\.arn\), 0, 5\)\)\}:network-interface\/\$\{aws_instance\.\1\.primary_network_interface_id\}"$/;

/** The items of an HCL list's text, split at its top-level commas. */
function hclList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  return last ? [...items, last] : items;
}

describe("AwsPlatform floating-address movers", () => {
  test.each([
    [
      "route table",
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      "MoveRoute",
      ["ec2:ReplaceRoute"],
      [/^aws_route_table\.cloud_RouteTable_[0-9A-F]{8}\.arn$/],
    ],
    [
      "secondary private IP",
      { addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.0.200" },
      "MoveSecondaryPrivateIp",
      ["ec2:AssignPrivateIpAddresses"],
      [INTERFACE_ARN, INTERFACE_ARN],
    ],
    [
      "Elastic IP",
      { addressMode: FloatingAddressMode.ELASTIC_IP },
      "MoveElasticIp",
      ["ec2:AssociateAddress"],
      [/^aws_eip\.cloud_edge_Vip_ElasticIp_[0-9A-F]{8}\.arn$/, INTERFACE_ARN, INTERFACE_ARN],
    ],
  ])(
    "allows the %s mover exactly its call on exactly its resources",
    (_name, props, sid, actions, expected) => {
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
      const resources = hclList(statement.match(/"Resource" = \[(.*)\]/)?.[1] ?? "");
      expect(resources).toHaveLength(expected.length);
      resources.forEach((r, i) => {
        expect(r).toMatch(expected[i] as RegExp);
      });
      // each interface's ARN is built beside its own instance's ARN
      const nodes = resources.flatMap((r) => [
        ...r.matchAll(/aws_instance\.(cloud_edge_Node\d_[0-9A-F]{8})\./g),
      ]);
      expect(new Set(nodes.map((m) => m[1])).size).toBe(nodes.length / 2);
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
