import { IMDS_FUNCTION } from "./imds";
import { generatedHeader, lines, shellQuote } from "./text";

/** Where a host keeps its health-metric publisher and its systemd unit. */
export const HEALTH_METRIC_SCRIPT = "/usr/local/sbin/ha-health-metric";
export const HEALTH_METRIC_UNIT = "ha-health-metric.service";
export const HEALTH_METRIC_SERVICE = `/etc/systemd/system/${HEALTH_METRIC_UNIT}`;

export interface HealthMetricOptions {
  /** Argument vector of the probe; exit 0 means healthy. */
  readonly probe: readonly string[];
  readonly timeoutSeconds: number;
  /** Seconds between two published values (one per alarm period). */
  readonly intervalSeconds: number;
  /** CloudWatch namespace, metric and dimension; plain words (letters, digits, '-', '_', '.', '/'). */
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensionName: string;
  readonly dimensionValue: string;
}

/**
 * The loop that publishes a host's health as a high-resolution CloudWatch metric: every
 * `intervalSeconds` it runs the probe (with its timeout) and puts 1 (healthy) or 0 with
 * `aws cloudwatch put-metric-data --storage-resolution 1`, the region read from the instance
 * metadata (IMDSv2). A host that is down publishes nothing; the alarm treats the missing data as
 * breaching. Failed calls are logged (`journalctl -t ha-health-metric`) and the loop goes on.
 */
export function renderHealthMetricScript(options: HealthMetricOptions): string {
  const probe = options.probe.map(shellQuote).join(" ");
  return lines(
    "#!/bin/bash",
    generatedHeader("#"),
    "set -u",
    `namespace=${shellQuote(options.namespace)}`,
    `metric=${shellQuote(options.metricName)}`,
    `dimension=${shellQuote(`${options.dimensionName}=${options.dimensionValue}`)}`,
    `interval=${options.intervalSeconds}`,
    "",
    'log() { logger -t ha-health-metric -- "$*" 2>/dev/null || true; }',
    "",
    ...IMDS_FUNCTION,
    "",
    'until region=$(imds placement/region); do log "no region from the instance metadata yet"; sleep 2; done',
    'log "publishing $metric ($dimension) to $namespace in $region every $interval s"',
    "while true; do",
    "  started=$(date +%s)",
    `  if timeout ${options.timeoutSeconds} ${probe} >/dev/null 2>&1; then value=1; else value=0; fi`,
    '  if ! aws cloudwatch put-metric-data --region "$region" --namespace "$namespace" \\',
    '    --metric-name "$metric" --dimensions "$dimension" --value "$value" --unit Count \\',
    "    --storage-resolution 1 >/dev/null 2>&1; then",
    '    log "put-metric-data failed (value $value)"',
    "  fi",
    "  elapsed=$(( $(date +%s) - started ))",
    '  if [ "$elapsed" -lt "$interval" ]; then sleep $(( interval - elapsed )); fi',
    "done",
  );
}

/** The systemd service that keeps the publisher running. */
export function renderHealthMetricService(): string {
  return lines(
    generatedHeader("#"),
    "[Unit]",
    "Description=cdktf-ha-topologies health metric publisher",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    `ExecStart=${HEALTH_METRIC_SCRIPT}`,
    "Restart=always",
    "RestartSec=2",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  );
}
