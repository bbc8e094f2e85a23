import { type AvailabilityModel, type FailurePrediction, NO_DATA_LOSS } from "../model/availability";
import { evaluateRules } from "./evaluate-rules";
import {
  HA_REPORT_SCHEMA_VERSION,
  type HaReportDocument,
  type ReportComponent,
  type ReportGroup,
  type ReportPrediction,
} from "./report-document";
import { findSinglePointsOfFailure } from "./single-points-of-failure";
import type { Suppression } from "./suppressions";

export type * from "./report-document";

/**
 * The HA report of a model (what `ha-report.json` holds): its components and groups with their
 * predicted RTO and RPO, its single points of failure, and what the rule pack found, less what
 * `suppressions` silence.
 */
export function analyze(
  stack: string,
  model: AvailabilityModel,
  suppressions: readonly Suppression[] = [],
): HaReportDocument {
  const components: ReportComponent[] = model.components.map((c) => ({
    id: c.id,
    hostname: c.hostname,
    role: c.role,
    topology: c.topology,
    failureDomain: c.failureDomain,
    ...(c.address ? { address: c.address() } : {}),
  }));
  const domainsOf = new Map<string, readonly string[]>([
    ...components.map((c) => [c.id, [c.failureDomain]] as const),
    ...model.managedComponents.map((m) => [m.id, m.failureDomains] as const),
  ]);
  const groups: ReportGroup[] = model.groups.map((g) => ({
    id: g.id,
    role: g.role,
    topology: g.topology,
    mechanism: g.mechanism,
    members: [...g.members],
    minimumHealthy: g.minimumHealthy,
    toleratedFailures: Math.max(0, g.members.length - g.minimumHealthy),
    failureDomains: [...new Set(g.members.flatMap((m) => domainsOf.get(m) ?? ["unknown"]))].sort(),
    dependsOn: [...g.dependsOn],
    predictions: g.predictions.map(reportPrediction),
  }));
  const domains = [...model.failureDomains.values()].sort((a, b) => a.id.localeCompare(b.id));
  const rules = evaluateRules(model, suppressions);
  return {
    schemaVersion: HA_REPORT_SCHEMA_VERSION,
    stack,
    platform: model.platform,
    platforms: model.platforms.map((p) => ({
      id: p.id,
      name: p.name,
      failureDomains: model.failureDomainsOf(p.id),
    })),
    failureDomains: domains.map((d) => ({
      id: d.id,
      kind: d.kind,
      description: d.description,
      platforms: [...model.platformsOfDomain(d.id)],
      components: components.filter((c) => c.failureDomain === d.id).map((c) => c.id),
      managedComponents: model.managedComponents
        .filter((m) => m.failureDomains.includes(d.id))
        .map((m) => m.id),
    })),
    components,
    managedComponents: model.managedComponents.map((m) => ({
      id: m.id,
      service: m.service,
      role: m.role,
      topology: m.topology,
      failureDomains: [...m.failureDomains],
      failover: [...m.failover],
    })),
    redundancyGroups: groups,
    floatingAddresses: model.floatingAddresses.map((f) => ({
      id: f.id,
      topology: f.topology,
      address: f.address,
      mode: f.mode,
      listenerPorts: [...f.listenerPorts],
      healthyOn: f.healthyOn,
      ...(f.virtualRouterId !== undefined ? { virtualRouterId: f.virtualRouterId } : {}),
      ...(f.announcedBy !== undefined ? { announcedBy: f.announcedBy } : {}),
    })),
    healthCheckedNames: model.healthCheckedNames.map((n) => ({
      id: n.id,
      fqdn: n.fqdn,
      ttlSeconds: n.ttlSeconds,
      nameServers: [...n.nameServers],
      serverHosts: [...n.serverHosts],
      members: n.members.map((m) => ({ name: m.name, address: m.address, componentId: m.componentId })),
      servicePort: n.servicePort,
      checker: n.checker,
      selection: n.selection,
      allUnhealthy: n.allUnhealthy,
    })),
    vrrpInstances: model.vrrpInstances.map((v) => ({ ...v })),
    singlePointsOfFailure: findSinglePointsOfFailure(model),
    rules: rules.rules,
    findings: rules.findings,
    suppressedFindings: rules.suppressedFindings,
    notes: [...model.notes],
  };
}

/** A prediction with its data loss spelled out (a stateless tier's is none). */
function reportPrediction(p: FailurePrediction): ReportPrediction {
  const loss = p.dataLoss ?? NO_DATA_LOSS;
  return {
    fault: p.fault,
    ...(p.recoverySeconds !== undefined ? { recoverySeconds: p.recoverySeconds } : {}),
    ...(p.splitBrainAfterSeconds !== undefined ? { splitBrainAfterSeconds: p.splitBrainAfterSeconds } : {}),
    ...(p.clientsMoveSeconds !== undefined ? { clientsMoveSeconds: p.clientsMoveSeconds } : {}),
    failedRequests: p.failedRequests,
    basis: p.basis,
    dataLossSeconds: loss.seconds,
    dataLoss: loss.description,
    ...(loss.basis !== undefined ? { dataLossBasis: loss.basis } : {}),
    ...(loss.modes !== undefined ? { dataLossModes: loss.modes.map((m) => ({ ...m })) } : {}),
  };
}
