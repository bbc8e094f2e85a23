import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { fallbackRecords, multivalueRecord, recordType } from "../../../../lib/platforms/aws/route53/records";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { platformStack } from "./fixture";

const zone = { zoneId: "Z1", nameServers: [], name: "a.test", created: false };

describe("route53 records", () => {
  test("names the record type of each address family", () => {
    expect([recordType(4), recordType(6)]).toEqual(["A", "AAAA"]);
  });

  test("makes a multivalue record identified by the member and tied to its check", () => {
    // GIVEN
    const { stack, scope } = platformStack({}, 1);

    // WHEN
    multivalueRecord(scope, "Record", zone, "www.a.test", 60, {
      name: "m1",
      address: "2001:db8::5",
      family: 6,
      healthCheckId: "hc-1",
    });

    // THEN
    expect(Testing.synth(stack, true)).toHaveResourceWithProperties(Route53Record, {
      zone_id: "Z1",
      name: "www.a.test",
      type: "AAAA",
      ttl: 60,
      records: ["2001:db8::5"],
      multivalue_answer_routing_policy: true,
      set_identifier: "m1",
      health_check_id: "hc-1",
    });
  });

  test("makes a failover pair per record type, the primary an alias that evaluates the members", () => {
    // GIVEN
    const { stack, scope } = platformStack({}, 1);

    // WHEN
    fallbackRecords(
      scope,
      zone,
      "www.a.test",
      "_members.www.a.test",
      60,
      new Map([
        [4, ["203.0.113.1", "203.0.113.2"]],
        [6, ["2001:db8::9"]],
      ]),
    );
    const records = Object.values(resourcesOfType(synthJson(stack), "aws_route53_record")).sort((a, b) =>
      `${a.type} ${a.failover_routing_policy.type}`.localeCompare(
        `${b.type} ${b.failover_routing_policy.type}`,
      ),
    );

    // THEN
    expect(records.map((r) => [r.type, r.failover_routing_policy.type, r.records ?? r.alias.name])).toEqual([
      ["A", "PRIMARY", "_members.www.a.test"],
      ["A", "SECONDARY", ["203.0.113.1", "203.0.113.2"]],
      ["AAAA", "PRIMARY", "_members.www.a.test"],
      ["AAAA", "SECONDARY", ["2001:db8::9"]],
    ]);
    expect(records[0]).toEqual({
      zone_id: "Z1",
      name: "www.a.test",
      type: "A",
      set_identifier: "members",
      failover_routing_policy: { type: "PRIMARY" },
      alias: { name: "_members.www.a.test", zone_id: "Z1", evaluate_target_health: true },
    });
    expect(records[1]).not.toHaveProperty("health_check_id");
  });
});
