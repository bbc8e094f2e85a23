import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import { httpProbeCommand } from "../../../model/health-check";
import { isIpv4 } from "../../../model/ipam";
import {
  HEALTH_METRIC_SCRIPT,
  HEALTH_METRIC_SERVICE,
  HEALTH_METRIC_UNIT,
  renderHealthMetricScript,
  renderHealthMetricService,
} from "../../../render/health-metric";
import type { HealthCheckedMember } from "../../health-checked-name";
import type { IHost } from "../../host";
import type { AwsPlatform } from "../aws-platform";
import { AwsHost } from "../host";
import type { Route53Plan } from "./limits";

/** The metric every publisher puts: 1 while the host's probe passes, 0 when it fails. */
export const HEALTH_METRIC_NAME = "Healthy";
/** The dimension naming the host. */
export const HEALTH_METRIC_DIMENSION = "Host";

/** The CloudWatch namespace of a platform's hosts: the IAM condition pins each host to it. */
export function healthMetricNamespace(platform: AwsPlatform): string {
  return `cdktf-ha-topologies/${platform.namePrefix}`;
}

/** Where a member's health is published. */
export interface PublishedHealth {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The probe each host runs, by host: a second name over the same hosts must probe alike. */
const probes = new WeakMap<AwsHost, string>();

/** The argument vector probing `address` as the plan says (exit 0: healthy). */
function probeCommand(plan: Route53Plan, address: string): string[] {
  if (!isIpv4(address)) {
    return invalid("health metric", "member address", address, "the hosts' probe reaches IPv4 addresses");
  }
  const { probe } = plan;
  if (probe.type === "HTTP") {
    return httpProbeCommand(`http://${address}:${probe.port}${probe.path}`, plan.probeTimeoutSeconds);
  }
  return ["/bin/bash", "-c", `exec 3<>/dev/tcp/${address}/${probe.port}`];
}

/**
 * Makes the members' hosts publish their own health: on each host a service that probes the
 * host's address as the plan says twice per alarm period and puts the result to CloudWatch, and per
 * traffic group one instance-role grant (under `holder`) of exactly `cloudwatch:PutMetricData`,
 * which has no resource-level permissions, narrowed to the platform's namespace by the
 * `cloudwatch:namespace` condition. A member without a host the platform made has nobody to
 * publish for it and is refused (a ValidationError at `scope`). Returns where each member's
 * health is, by member name.
 */
export function publishHealthMetrics(
  platform: AwsPlatform,
  scope: Construct,
  holder: Construct,
  plan: Route53Plan,
  members: readonly HealthCheckedMember[],
): Map<string, PublishedHealth> {
  const namespace = healthMetricNamespace(platform);
  const published = new Map<string, PublishedHealth>();
  const newHosts = new Map<string, AwsHost[]>();
  for (const member of members) {
    const host = hostOf(scope, member);
    const dimension = `${platform.namePrefix}-${host.hostname}`;
    if (startPublisher(scope, plan, member, host, namespace, dimension)) {
      const group = host.spec.trafficGroup;
      newHosts.set(group, [...(newHosts.get(group) ?? []), host]);
    }
    published.set(member.name, {
      namespace,
      metricName: HEALTH_METRIC_NAME,
      dimensions: { [HEALTH_METRIC_DIMENSION]: dimension },
    });
  }
  for (const [group, hosts] of newHosts) grantPutMetricData(platform, holder, group, hosts, namespace);
  return published;
}

function hostOf(scope: Construct, member: HealthCheckedMember): AwsHost {
  if (member.host === undefined) {
    invalid(
      scope,
      "member",
      member.name,
      "a private zone's members are checked through CloudWatch alarms over a metric their own hosts publish: give members the platform made, or use a public zone",
    );
  }
  return AwsHost.of(scope, member.host);
}

/** Adds the publisher to `host` unless it runs one already (with the same probe); true when added. */
function startPublisher(
  scope: Construct,
  plan: Route53Plan,
  member: HealthCheckedMember,
  host: AwsHost,
  namespace: string,
  dimension: string,
): boolean {
  const key = JSON.stringify([plan.probe, plan.intervalSeconds, plan.probeTimeoutSeconds]);
  const known = probes.get(host);
  if (known === key) return false;
  if (known !== undefined) {
    invalid(
      scope,
      "member",
      member.name,
      `its host publishes its health for another name with another probe (${known}): one host, one probe`,
    );
  }
  probes.set(host, key);
  host.addService(
    HEALTH_METRIC_UNIT,
    [
      {
        path: HEALTH_METRIC_SCRIPT,
        executable: true,
        content: () =>
          renderHealthMetricScript({
            probe: probeCommand(plan, host.address),
            timeoutSeconds: plan.probeTimeoutSeconds,
            // Two values per alarm period: a late run never leaves a period empty (an empty
            // period counts as failing, which alone would take out a member at threshold 1).
            intervalSeconds: plan.intervalSeconds / 2,
            namespace,
            metricName: HEALTH_METRIC_NAME,
            dimensionName: HEALTH_METRIC_DIMENSION,
            dimensionValue: dimension,
          }),
      },
      { path: HEALTH_METRIC_SERVICE, content: renderHealthMetricService() },
    ],
    ["awscli", "curl"],
  );
  return true;
}

/** `cloudwatch:PutMetricData` into `namespace` only, for the instance role of one traffic group. */
function grantPutMetricData(
  platform: AwsPlatform,
  holder: Construct,
  group: string,
  hosts: readonly IHost[],
  namespace: string,
): void {
  const id = group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  platform.instanceRoles.grant(holder, hosts, ["cloudwatch:PutMetricData"], ["*"], {
    id: `PublishHealth-${id}`,
    // Unique on the role: several names may grant to hosts of one group.
    policyName: `publish-health-${id.slice(0, 100)}-${holder.node.addr.slice(0, 8)}`,
    sid: "PublishOwnHealthMetric",
    roleWord: "dns",
    rolePurpose: "publishes the health of",
    condition: { StringEquals: { "cloudwatch:namespace": namespace } },
  });
}
