import { describe, expect, test } from "vitest";
import {
  HOST_HEALTH_SCRIPT,
  renderHostHealthScript,
  renderHostHealthService,
  renderHostHealthTimer,
} from "../../lib/render/host-health";

describe("host health checker", () => {
  test("runs the check with its timeout and counts failures up to retries", () => {
    const script = renderHostHealthScript({
      command: ["/usr/bin/curl", "--fail", "http://127.0.0.1:8404/ha-health"],
      intervalSeconds: 2,
      timeoutSeconds: 1,
      retries: 3,
    });
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain(
      "if timeout 1 /usr/bin/curl --fail http://127.0.0.1:8404/ha-health >/dev/null 2>&1;",
    );
    expect(script).toContain('if [ "$n" -ge 3 ]; then new=unhealthy; else new=healthy; fi');
  });

  test("quotes every word of the check as one shell word", () => {
    const script = renderHostHealthScript({
      command: ["/bin/check", "a b", "it's"],
      intervalSeconds: 1,
      timeoutSeconds: 1,
      retries: 1,
    });
    expect(script).toContain("timeout 1 /bin/check 'a b' 'it'\\''s' >/dev/null");
  });

  test("a oneshot service whose failing check is the host's state, and a timer at the interval", () => {
    expect(renderHostHealthService()).toContain(`ExecStart=${HOST_HEALTH_SCRIPT}`);
    expect(renderHostHealthService()).toContain("SuccessExitStatus=0 1");
    const timer = renderHostHealthTimer(2);
    expect(timer).toContain("OnUnitActiveSec=2s");
    expect(timer).toContain("WantedBy=timers.target");
  });
});
