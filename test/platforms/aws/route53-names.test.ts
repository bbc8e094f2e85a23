import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIpRanges } from "@cdktf/provider-aws/lib/data-aws-ip-ranges";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { AllUnhealthy, HealthCheck } from "../../../lib";
import { DnsZone } from "../../../lib/model/dns-zone";
import { resourcesOfType, resourceTypes, synthJson } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";
import { checkWithTerraform, terraformTier } from "../../support/terraform";
import { EXISTING_NETWORK } from "./fixture";
import { fixedMembers, hostMembers, platformStack, request } from "./route53/fixture";

describe("addRoute53Name on a public zone", () => {
  test("makes the zone, a check and a multivalue record per member, and admits the checkers", () => {
    // GIVEN three HAProxy-like hosts as members
    const { stack, cloud, pool, scope } = platformStack();

    // WHEN
    const binding = cloud.addHealthCheckedName(scope, "www", request(hostMembers(pool), 3, scope));
    const synth = Testing.synth(stack, true);
    const json = synthJson(stack);

    // THEN one zone, kept on destroy
    expect(synth).toHaveResourceWithProperties(Route53Zone, {
      name: "pool.example.com",
      force_destroy: false,
      tags: { Name: "test-pool-example-com" },
    });
    expect(JSON.stringify(resourcesOfType(json, "aws_route53_zone"))).not.toContain('"vpc"');
    // a check per member on its instance's public IP, HTTP on the probe port
    expect(Object.keys(resourcesOfType(json, "aws_route53_health_check"))).toHaveLength(3);
    expect(synth).toHaveResourceWithProperties(Route53HealthCheck, {
      type: "HTTP",
      ip_address: expect.stringMatching(/^\$\{aws_instance\.cloud_lb_Replica0_[0-9A-F]+\.public_ip\}$/),
      port: 8404,
      resource_path: "/healthz",
      request_interval: 10,
      failure_threshold: 3,
      measure_latency: false,
      tags: { Name: "test-www.pool.example.com-lb-0" },
    });
    // a multivalue record per member, tied to its check, answering the public IP
    expect(Object.keys(resourcesOfType(json, "aws_route53_record"))).toHaveLength(3);
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "www.pool.example.com",
      type: "A",
      ttl: 30,
      multivalue_answer_routing_policy: true,
      set_identifier: "lb-1",
      records: [expect.stringMatching(/^\$\{aws_instance\.cloud_lb_Replica1_[0-9A-F]+\.public_ip\}$/)],
      health_check_id: expect.stringMatching(/Member-lb-1_HealthCheck_[0-9A-F]+\.id\}$/),
      zone_id: expect.stringMatching(
        /^\$\{aws_route53_zone\.cloud_Route53_pool-example-com_[0-9A-F]+\.zone_id\}$/,
      ),
    });
    // the checkers' published IPv4 ranges to the probe port only, once for the group
    expect(synth).toHaveDataSourceWithProperties(DataAwsIpRanges, { services: ["route53_healthchecks"] });
    const checkerRules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => String(r.description).startsWith("Route 53"),
    );
    expect(checkerRules).toEqual([
      expect.objectContaining({
        for_each: expect.stringMatching(
          /^\$\{toset\(data\.aws_ip_ranges\.cloud_Route53_CheckerRanges_[0-9A-F]+\.cidr_blocks\)\}$/,
        ),
        cidr_ipv4: "${each.value}",
        ip_protocol: "tcp",
        from_port: 8404,
        to_port: 8404,
        security_group_id: expect.stringMatching(/cloud_SecurityGroups_test-cloud-lb_/),
      }),
    ]);
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 8404,
      to_port: 8404,
    });
    // and exactly these kinds of resources beside the platform's own
    expect(resourceTypes(json)).toEqual([
      "aws_instance",
      "aws_internet_gateway",
      "aws_route",
      "aws_route53_health_check",
      "aws_route53_record",
      "aws_route53_zone",
      "aws_route_table",
      "aws_route_table_association",
      "aws_security_group",
      "aws_subnet",
      "aws_vpc",
      "aws_vpc_security_group_egress_rule",
      "aws_vpc_security_group_ingress_rule",
    ]);
    // the binding: managed servers, the zone's name servers, the removal arithmetic
    expect(binding.fqdn).toBe("www.pool.example.com");
    expect(binding.servers).toEqual([]);
    expect(binding.nameServers).toHaveLength(1);
    expect(binding.nameServers[0]).toMatch(/^#\{TfToken\[/);
    expect(binding.checker).toMatch(
      /^Route 53 checkers from published ranges: HTTP GET \/healthz on port 8404 every 10 s/,
    );
    expect(binding.refusedRemoval.ms).toBe(3 * 10_000 + 10_000);
    expect(binding.silentRemoval.ms).toBe(3 * (10_000 + 4_000) + 10_000);
    expect(binding.return.ms).toBe(40_000);
    expect(binding.notes.join("\n")).toMatch(/up to 8 of them anyway \(fail open\)/);
  });

  test("shares one zone between the names of a zone, and opens the checkers' rule once", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack();

    // WHEN two names in one zone over the same members
    cloud.addHealthCheckedName(scope, "www", request(hostMembers(pool), 3, scope));
    cloud.addHealthCheckedName(scope, "api", request(hostMembers(pool), 3, scope, { recordName: "api" }));
    const json = synthJson(stack);

    // THEN
    expect(Object.keys(resourcesOfType(json, "aws_route53_zone"))).toHaveLength(1);
    expect(Object.keys(resourcesOfType(json, "aws_route53_record"))).toHaveLength(6);
    const names = new Set(Object.values(resourcesOfType(json, "aws_route53_record")).map((r) => r.name));
    expect(names).toEqual(new Set(["www.pool.example.com", "api.pool.example.com"]));
    const rules = Object.keys(resourcesOfType(json, "aws_vpc_security_group_ingress_rule"));
    expect(rules.filter((id) => id.includes("route53-checkers"))).toHaveLength(1);
  });

  test("uses an existing zone by its id, answers its apex, and makes no zone", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack();

    // WHEN
    const binding = cloud.addHealthCheckedName(
      scope,
      "apex",
      request(hostMembers(pool), 3, scope, {
        zone: DnsZone.existing("Example.COM.", "Z0123456789ABCDEFGHIJ"),
        recordName: "@",
      }),
    );
    const synth = Testing.synth(stack, true);

    // THEN
    expect(resourceTypes(synth)).not.toContain("aws_route53_zone");
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "example.com",
      zone_id: "Z0123456789ABCDEFGHIJ",
    });
    expect(binding.fqdn).toBe("example.com");
    expect(binding.nameServers).toEqual([]);
    expect(binding.notes.join("\n")).toMatch(/exists already \(Z0123456789ABCDEFGHIJ\): its name servers/);
  });

  test("checks external members on their own addresses, AAAA for IPv6, and opens no security group", () => {
    // GIVEN members outside the platform
    const { stack, cloud, scope } = platformStack({}, 1);

    // WHEN
    cloud.addHealthCheckedName(
      scope,
      "ext",
      request(fixedMembers("8.8.4.4", "2001:4860:4860::8888"), 2, scope),
    );
    const synth = Testing.synth(stack, true);
    const json = synthJson(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Route53HealthCheck, { ip_address: "8.8.4.4" });
    expect(synth).toHaveResourceWithProperties(Route53Record, { type: "A", records: ["8.8.4.4"] });
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      type: "AAAA",
      records: ["2001:4860:4860::8888"],
      set_identifier: "ext-2",
    });
    expect(Object.keys(resourcesOfType(json, "aws_vpc_security_group_ingress_rule"))).not.toContainEqual(
      expect.stringContaining("route53-checkers"),
    );
  });

  test("puts a failover pair in front of the members for a fallback address", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack();

    // WHEN
    const binding = cloud.addHealthCheckedName(
      scope,
      "www",
      request(hostMembers(pool), 3, scope, { allUnhealthy: AllUnhealthy.fallback("203.0.113.99") }),
    );
    const synth = Testing.synth(stack, true);

    // THEN the members' records move under _members, a PRIMARY alias evaluates them, the
    // SECONDARY answers the fallback
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "_members.www.pool.example.com",
      multivalue_answer_routing_policy: true,
      set_identifier: "lb-0",
    });
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "www.pool.example.com",
      type: "A",
      set_identifier: "members",
      failover_routing_policy: { type: "PRIMARY" },
      alias: {
        name: "_members.www.pool.example.com",
        zone_id: expect.stringMatching(/aws_route53_zone\./),
        evaluate_target_health: true,
      },
    });
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "www.pool.example.com",
      type: "A",
      ttl: 30,
      records: ["203.0.113.99"],
      set_identifier: "fallback",
      failover_routing_policy: { type: "SECONDARY" },
    });
    expect(binding.notes.join("\n")).toMatch(/answers with 203\.0\.113\.99 \(not checked\)/);
  });

  test("reads the members only at synthesis", () => {
    // GIVEN members that are not there yet when the name is asked for
    const { stack, cloud, scope } = platformStack({}, 1);
    const later: string[] = [];
    const members = () => later.map((address, i) => ({ name: `m${i}`, address, componentId: `c${i}` }));

    // WHEN
    cloud.addHealthCheckedName(scope, "www", request(members, 2, scope));
    later.push("8.8.8.8", "8.8.4.4");
    const json = synthJson(stack);

    // THEN
    const addresses = Object.values(resourcesOfType(json, "aws_route53_health_check")).map(
      (c) => c.ip_address,
    );
    expect(addresses.sort()).toEqual(["8.8.4.4", "8.8.8.8"]);
  });
});

describe("addRoute53Name on a private zone", () => {
  test("checks members through their own published health, alarms and CloudWatch checks, on private addresses", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack();

    // WHEN
    const binding = cloud.addHealthCheckedName(
      scope,
      "www",
      request(hostMembers(pool), 3, scope, { zone: DnsZone.create("pool.internal", { private: true }) }),
    );
    const synth = Testing.synth(stack, true);
    const json = synthJson(stack);

    // THEN the zone on the VPC, an alarm and a CloudWatch check per member, records of the
    // private addresses, no door opened for outside checkers
    expect(synth).toHaveResourceWithProperties(Route53Zone, {
      name: "pool.internal",
      vpc: [{ vpc_id: expect.stringMatching(/aws_vpc\.cloud_Vpc_/) }],
    });
    expect(Object.keys(resourcesOfType(json, "aws_cloudwatch_metric_alarm"))).toHaveLength(3);
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "test-www.pool.internal-lb-2",
      dimensions: { Host: "test-lb-2" },
      namespace: "cdktf-ha-topologies/test",
      period: 10,
      evaluation_periods: 3,
    });
    expect(synth).toHaveResourceWithProperties(Route53HealthCheck, {
      type: "CLOUDWATCH_METRIC",
      insufficient_data_health_status: "Unhealthy",
      cloudwatch_alarm_name: expect.stringMatching(/Member-lb-0_Alarm_/),
    });
    const records = Object.values(resourcesOfType(json, "aws_route53_record"));
    expect(records.map((r) => r.records[0]).sort()).toEqual(["10.40.0.4", "10.40.0.5", "10.40.16.4"]);
    expect(json.data?.aws_ip_ranges).toBeUndefined();
    expect(
      Object.keys(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((id) =>
        id.includes("route53-checkers"),
      ),
    ).toEqual([]);
    // least privilege: PutMetricData only, into the platform's namespace only
    const policies = Object.values(resourcesOfType(json, "aws_iam_role_policy"));
    expect(policies).toHaveLength(1);
    expect(policies[0].policy).toContain(
      '"Action" = ["cloudwatch:PutMetricData"], "Resource" = ["*"], "Condition" = {"StringEquals" = {"cloudwatch:namespace" = "cdktf-ha-topologies/test"}}',
    );
    // the binding
    expect(binding.checker).toMatch(
      /^CloudWatch alarms: each member's host probes its own HTTP GET \/healthz on port 8404/,
    );
    expect(binding.refusedRemoval.ms).toBe((3 + 1) * 10_000 + 10_000);
    expect(binding.silentRemoval.ms).toBe((3 + 1) * 10_000 + 2_000 + 10_000);
    expect(binding.notes.join("\n")).toMatch(/private to the platform's VPC/);
  });

  test("throws for a member the platform did not make", () => {
    // GIVEN
    const { stack, cloud, scope } = platformStack({}, 1);
    cloud.addHealthCheckedName(
      scope,
      "www",
      request(fixedMembers("10.9.9.9"), 1, scope, {
        zone: DnsZone.create("pool.internal", { private: true }),
      }),
    );

    // WHEN / THEN
    expect(validationErrorOf(() => Testing.synth(stack)).message).toMatch(/their own hosts publish/);
  });
});

describe("addRoute53Name refusals that depend on the members (at synthesis)", () => {
  test("throws for hosts without public addresses", () => {
    // GIVEN a platform in an existing network, whose hosts get no public IP
    const { stack, cloud, pool, scope } = platformStack({ existingNetwork: EXISTING_NETWORK });
    cloud.addHealthCheckedName(scope, "www", request(hostMembers(pool), 3, scope));

    // WHEN / THEN
    const error = validationErrorOf(() => Testing.synth(stack));
    expect(error.path).toBe("test/cloud/pool");
    expect(error.message).toMatch(/assignPublicIps is false.*set assignPublicIps: true/);
  });

  test.each([
    ["a private address", ["10.0.0.5"], /cannot check a private address/],
    ["a benchmarking address", ["198.18.0.5"], /cannot check a reserved address/],
    ["a malformed address", ["not-an-ip"], /use an IPv4 address/],
  ])("throws for an external member at %s", (_what, addresses, message) => {
    // GIVEN
    const { stack, cloud, scope } = platformStack({}, 1);
    cloud.addHealthCheckedName(scope, "www", request(fixedMembers(...addresses), 1, scope));

    // WHEN / THEN
    expect(validationErrorOf(() => Testing.synth(stack)).message).toMatch(message);
  });

  test("throws when the members are not as many as announced, or share a name", () => {
    // GIVEN
    const a = platformStack({}, 1);
    a.cloud.addHealthCheckedName(a.scope, "www", request(fixedMembers("8.8.8.8"), 2, a.scope));
    const b = platformStack({}, 1);
    const twins = () => [
      { name: "x", address: "8.8.8.8", componentId: "a" },
      { name: "x", address: "8.8.4.4", componentId: "b" },
    ];
    b.cloud.addHealthCheckedName(b.scope, "www", request(twins, 2, b.scope));

    // WHEN / THEN
    expect(validationErrorOf(() => Testing.synth(a.stack)).message).toMatch(/announced 2 members/);
    expect(validationErrorOf(() => Testing.synth(b.stack)).message).toMatch(/unique name/);
  });

  test.each([
    [
      "IPv6 fallback for IPv4 members",
      ["8.8.8.8"],
      ["2001:db8::1"],
      /give a fallback address of that family/,
    ],
    [
      "IPv4 and IPv6 fallback for IPv4 members",
      ["8.8.8.8"],
      ["203.0.113.9", "2001:db8::1"],
      /never fail over/,
    ],
  ])("throws for an %s", (_what, addresses, fallback, message) => {
    // GIVEN
    const { stack, cloud, scope } = platformStack({}, 1);
    cloud.addHealthCheckedName(
      scope,
      "www",
      request(fixedMembers(...addresses), 1, scope, { allUnhealthy: AllUnhealthy.fallback(...fallback) }),
    );

    // WHEN / THEN
    expect(validationErrorOf(() => Testing.synth(stack)).message).toMatch(message);
  });

  test("throws when a second request describes a known zone differently", () => {
    // GIVEN
    const { cloud, pool, scope } = platformStack();
    cloud.addHealthCheckedName(scope, "www", request(hostMembers(pool), 3, scope));
    const other = new Construct(cloud, "other");

    // WHEN / THEN
    const error = validationErrorOf(() =>
      cloud.addHealthCheckedName(
        other,
        "www",
        request(hostMembers(pool), 3, other, { zone: DnsZone.existing("pool.example.com", "ZEXISTING1") }),
      ),
    );
    expect(error.path).toBe("test/cloud/other");
    expect(error.message).toMatch(/already has zone pool\.example\.com as created, public/);
  });
});

/** Terraform and the provider mirror, or a reported skip (as the deploy tier does). */
const tier = terraformTier();

describe.runIf(tier)("tier 5: a stack of Route 53 names, as Terraform reads it", () => {
  test("validates without a diagnostic, and plans and applies with the provider mocked", () => {
    // GIVEN host members with a fallback, external members in an existing zone with a TCP check,
    // and the host members again in a private zone (CloudWatch alarms, an IAM grant)
    const { mirror } = tier || { mirror: { version: "" } };
    const { stack, cloud, pool, scope } = platformStack();
    cloud.addHealthCheckedName(
      scope,
      "www",
      request(hostMembers(pool), 3, scope, { allUnhealthy: AllUnhealthy.fallback("203.0.113.99") }),
    );
    const other = new Construct(cloud, "ext");
    cloud.addHealthCheckedName(
      other,
      "apex",
      request(fixedMembers("8.8.8.8", "2001:4860:4860::8888"), 2, other, {
        zone: DnsZone.existing("example.com", "Z0123456789ABCDEFGHIJ"),
        recordName: "@",
        healthCheck: HealthCheck.tcp({ port: 443, intervalMs: 30_000, timeoutMs: 1000 }),
      }),
    );
    const inside = new Construct(cloud, "inside");
    cloud.addHealthCheckedName(
      inside,
      "int",
      request(hostMembers(pool), 3, inside, { zone: DnsZone.create("pool.internal", { private: true }) }),
    );
    // WHEN Terraform reads it
    const verdict = checkWithTerraform(
      tier as Exclude<typeof tier, false>,
      JSON.parse(Testing.synth(stack, true)),
      { mocked: true },
    );

    // THEN
    expect(verdict.diagnostics).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.testOutput).toMatch(/Success! 2 passed, 0 failed/);
    console.log(
      `tier 5 (terraform): Route 53 names validated against hashicorp/aws ${mirror.version}; validate ${verdict.seconds.validate.toFixed(1)} s, test ${verdict.seconds.test?.toFixed(1)} s`,
    );
  }, 600_000);
});
