import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  HEALTH_METRIC_SCRIPT,
  renderHealthMetricScript,
  renderHealthMetricService,
} from "../../lib/render/health-metric";
import { tierAvailable } from "../support/tiers";

const options = {
  probe: ["/usr/bin/curl", "--fail", "http://10.0.0.5:8404/healthz?x=1 2"],
  timeoutSeconds: 2,
  intervalSeconds: 10,
  namespace: "cdktf-ha-topologies/test",
  metricName: "Healthy",
  dimensionName: "Host",
  dimensionValue: "test-lb-0",
};

describe("health metric publisher", () => {
  test("probes with its timeout and puts 1 or 0 as a high-resolution metric every interval", () => {
    // GIVEN / WHEN
    const script = renderHealthMetricScript(options);

    // THEN
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain(
      "if timeout 2 /usr/bin/curl --fail 'http://10.0.0.5:8404/healthz?x=1 2' >/dev/null 2>&1; then value=1; else value=0; fi",
    );
    expect(script).toContain("namespace=cdktf-ha-topologies/test");
    expect(script).toContain("dimension=Host=test-lb-0");
    expect(script).toContain("--storage-resolution 1");
    expect(script).toContain("interval=10");
    expect(script).toContain("until region=$(imds placement/region)");
  });

  test("is a service restarted whenever it stops", () => {
    const unit = renderHealthMetricService();
    expect(unit).toContain(`ExecStart=${HEALTH_METRIC_SCRIPT}`);
    expect(unit).toContain("Restart=always");
    expect(unit).toContain("WantedBy=multi-user.target");
  });

  const shell = tierAvailable("daemon checks: shell scripts (health metric)", ["bash", "shellcheck"]);
  test.runIf(shell)("parses in bash and is shellcheck-clean", () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-metric-"));
    try {
      const file = path.join(dir, "ha-health-metric");
      fs.writeFileSync(file, renderHealthMetricScript(options));

      // WHEN
      const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
      const lint = spawnSync("shellcheck", ["--format=gcc", file], { encoding: "utf8" });

      // THEN
      expect(syntax.status, syntax.stderr).toBe(0);
      expect(lint.status, lint.stdout).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
