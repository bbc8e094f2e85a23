import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { alarmHealthCheck, endpointHealthCheck } from "../../../../lib/platforms/aws/route53/health-checks";
import type { Route53Plan } from "../../../../lib/platforms/aws/route53/limits";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { platformStack } from "./fixture";

const plan = (probe: Route53Plan["probe"]): Route53Plan => ({
  mode: "endpoint",
  zoneName: "a.test",
  fqdn: "www.a.test",
  intervalSeconds: 30,
  failureThreshold: 2,
  probe,
  probeTimeoutSeconds: 1,
  fallback: [],
  notes: [],
});

describe("endpointHealthCheck", () => {
  test.each([
    [
      "HTTP",
      plan({ type: "HTTP", port: 8404, path: "/ready" }),
      { type: "HTTP", port: 8404, resource_path: "/ready" },
    ],
    ["TCP", plan({ type: "TCP", port: 443 }), { type: "TCP", port: 443 }],
  ])(
    "maps a %s probe, interval and threshold, with latency unmeasured and default regions",
    (type, p, expected) => {
      // GIVEN
      const { stack, scope } = platformStack({}, 1);

      // WHEN
      endpointHealthCheck(scope, "Check", p, { name: "m1", address: "8.8.8.8" }, "test-www-m1");
      const synth = Testing.synth(stack, true);

      // THEN
      expect(synth).toHaveResourceWithProperties(Route53HealthCheck, {
        ...expected,
        ip_address: "8.8.8.8",
        request_interval: 30,
        failure_threshold: 2,
        measure_latency: false,
        tags: { Name: "test-www-m1" },
      });
      const [check] = Object.values(resourcesOfType(synthJson(stack), "aws_route53_health_check"));
      expect(check.regions).toBeUndefined();
      expect("resource_path" in check).toBe(type === "HTTP");
    },
  );
});

describe("alarmHealthCheck", () => {
  test("alarms after threshold periods below 1, missing data failing, and a check that follows the alarm", () => {
    // GIVEN
    const { stack, scope } = platformStack({}, 1);
    const health = { namespace: "ns/test", metricName: "Healthy", dimensions: { Host: "test-lb-0" } };

    // WHEN
    alarmHealthCheck(scope, plan({ type: "HTTP", port: 8404, path: "/" }), health, "test-www-lb-0");
    const synth = Testing.synth(stack, true);

    // THEN
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "test-www-lb-0",
      namespace: "ns/test",
      metric_name: "Healthy",
      dimensions: { Host: "test-lb-0" },
      statistic: "Minimum",
      period: 30,
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
      threshold: 1,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
    expect(synth).toHaveResourceWithProperties(Route53HealthCheck, {
      type: "CLOUDWATCH_METRIC",
      cloudwatch_alarm_name: expect.stringMatching(
        /^\$\{aws_cloudwatch_metric_alarm\.cloud_pool_Alarm_[0-9A-F]+\.alarm_name\}$/,
      ),
      cloudwatch_alarm_region: expect.stringMatching(
        /^\$\{element\(split\(":", aws_cloudwatch_metric_alarm\..*\.arn\), 3\)\}$/,
      ),
      insufficient_data_health_status: "Unhealthy",
    });
  });
});
