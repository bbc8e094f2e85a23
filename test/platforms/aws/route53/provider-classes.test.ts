import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { describe, expect, test } from "vitest";
import { route53 } from "../../../../lib/platforms/aws/route53/provider-classes";

describe("route53 provider classes", () => {
  test("loads the provider's Route 53 classes by deep path, once", () => {
    // GIVEN / WHEN
    const first = route53();

    // THEN
    expect(first.Route53Record).toBe(Route53Record);
    expect(route53()).toBe(first);
    expect(Object.keys(first).sort()).toEqual([
      "CloudwatchMetricAlarm",
      "DataAwsIpRanges",
      "Route53HealthCheck",
      "Route53Record",
      "Route53Zone",
    ]);
  });
});
