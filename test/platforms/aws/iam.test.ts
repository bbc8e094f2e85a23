import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../../lib";
import { AwsInstanceRoles } from "../../../lib/platforms/aws/iam";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { build, instanceOf, type Json } from "./fixture";

/** The resources of a type that the grants made (not the VIP pair's own role). */
function granted(json: Json, type: string): Json[] {
  return Object.entries(resourcesOfType(json, type))
    .filter(
      ([key, r]) => key.startsWith("Grants_") || (type === "aws_iam_role_policy" && !/^move-/.test(r.name)),
    )
    .map(([, r]) => r);
}

/** A stack with a pool of three backends and roles made under "Grants". */
function granting() {
  const built = build();
  const roles = new AwsInstanceRoles(new Construct(built.stack, "Grants"), "test");
  const hosts = [0, 1, 2].map(() => built.web.addReplica());
  return { ...built, roles, hosts };
}

describe("AwsInstanceRoles.grant", () => {
  test("gives the hosts' role exactly the actions on exactly the resources, and the hosts its profile", () => {
    // GIVEN
    const { stack, roles, hosts } = granting();

    // WHEN
    roles.grant(
      stack,
      hosts,
      ["secretsmanager:GetSecretValue"],
      ["arn:aws:secretsmanager:eu-west-1:1:secret:x"],
    );
    const json = synthJson(stack);

    // THEN one role and profile for the group, one policy with one statement
    const policies = granted(json, "aws_iam_role_policy");
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toBe("Grant");
    expect(policies[0].policy).toBe(
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue"], "Resource" = ["arn:aws:secretsmanager:eu-west-1:1:secret:x"]}]})}',
    );
    const [role] = granted(json, "aws_iam_role");
    expect(role.name_prefix).toBe("test-role-");
    expect(role.description).toBe("cdktf-ha-topologies: acts for test");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(granted(json, "aws_iam_instance_profile")).toHaveLength(1);
    for (const name of ["web-3", "web-4", "web-5"]) {
      expect(instanceOf(json, name).iam_instance_profile).toMatch(/aws_iam_instance_profile\.Grants_/);
    }
    expect(instanceOf(json, "web-0").iam_instance_profile).toBeUndefined();
  });

  test("adds one policy per grant to the one role of a traffic group, named as asked", () => {
    // GIVEN
    const { stack, roles, hosts } = granting();

    // WHEN
    roles.grant(stack, hosts, ["ec2:A"], ["arn:1"], {
      id: "First",
      sid: "One",
      roleWord: "db",
      rolePurpose: "runs",
    });
    roles.grant(stack, hosts.slice(1), ["ec2:B", "ec2:C"], ["arn:2", "arn:3"], {
      id: "Second",
      policyName: "two",
    });
    const json = synthJson(stack);

    // THEN the first grant named the role; the second reused it
    expect(granted(json, "aws_iam_role")).toHaveLength(1);
    const [role] = granted(json, "aws_iam_role");
    expect(role).toMatchObject({ name_prefix: "test-db-", description: "cdktf-ha-topologies: runs test" });
    const policies = granted(json, "aws_iam_role_policy");
    expect(policies.map((p) => p.name)).toEqual(["First", "two"]);
    expect(policies[0].policy).toContain('"Sid" = "One"');
    expect(policies[1].policy).toContain('"Action" = ["ec2:B", "ec2:C"], "Resource" = ["arn:2", "arn:3"]');
    expect(policies[1].policy).not.toContain("Sid");
  });

  test("narrows a grant on every resource with the condition it is given", () => {
    // GIVEN
    const { stack, roles, hosts } = granting();

    // WHEN
    roles.grant(stack, hosts, ["cloudwatch:PutMetricData"], ["*"], {
      condition: { StringEquals: { "cloudwatch:namespace": "ns/a" } },
    });
    const json = synthJson(stack);

    // THEN
    const [policy] = granted(json, "aws_iam_role_policy");
    expect(policy.policy).toContain(
      '"Action" = ["cloudwatch:PutMetricData"], "Resource" = ["*"], "Condition" = {"StringEquals" = {"cloudwatch:namespace" = "ns/a"}}',
    );
  });

  test.each<[string, (g: ReturnType<typeof granting>) => unknown, RegExp]>([
    [
      "fails for every resource without a condition",
      (g) => g.roles.grant(g.stack, g.hosts, ["ec2:A"], ["*"]),
      /narrow a grant on "\*" with a condition/,
    ],
    ["fails for no action", (g) => g.roles.grant(g.stack, g.hosts, [], ["arn:1"]), /at least one action/],
    ["fails for no resource", (g) => g.roles.grant(g.stack, g.hosts, ["ec2:A"], []), /at least one action/],
    [
      "fails for no host",
      (g) => g.roles.grant(g.stack, [], ["ec2:A"], ["arn:1"]),
      /grant to at least one host/,
    ],
    [
      "fails for hosts of two traffic groups",
      (g) => g.roles.grant(g.stack, [...g.hosts, ...g.vip.nodes], ["ec2:A"], ["arn:1"]),
      /\["test\/cloud\/edge\/Node0","test\/cloud\/edge\/Node1"\].*one traffic group \(test\/cloud\/web\)/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN
    const g = granting();

    // WHEN
    const error = caught(() => make(g));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
