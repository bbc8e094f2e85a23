import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { renderHostHealthScript } from "../../lib/render/host-health";
import { tierAvailable } from "../support/tiers";

const canRun = tierAvailable("host health checker", ["unshare", "mount", "timeout", "logger", "sh"], true);

/**
 * Runs the rendered checker `rounds` times in a mount namespace of its own with /run on a fresh
 * tmpfs (so the machine's /run/ha is untouched), the check passing or failing by a flag file.
 * Returns each round's exit status and state.
 */
function rounds(outcomes: readonly boolean[], retries: number): Array<[number, string]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-health-"));
  try {
    const flag = path.join(dir, "ok");
    const script = path.join(dir, "ha-health");
    fs.writeFileSync(
      script,
      renderHostHealthScript({
        command: ["/usr/bin/test", "-e", flag],
        intervalSeconds: 1,
        timeoutSeconds: 1,
        retries,
      }),
      { mode: 0o755 },
    );
    const steps = outcomes
      .map((ok) => `${ok ? `touch ${flag}` : `rm -f ${flag}`}; ${script}; echo "$? $(cat /run/ha/health)"`)
      .join("; ");
    const out = spawnSync("unshare", ["--mount", "sh", "-c", `mount -t tmpfs none /run && ${steps}`], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(out.status, out.stderr).toBe(0);
    return out.stdout
      .trim()
      .split("\n")
      .map((l) => {
        const [code, state] = l.split(" ");
        return [Number(code), state as string];
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(canRun)("host health checker, run by sh", () => {
  test("turns unhealthy after `retries` consecutive failures and healthy after one pass", () => {
    // GIVEN retries 3 WHEN the check fails three times, passes, then fails once
    const states = rounds([true, false, false, false, true, false], 3);
    // THEN the state follows Docker's HEALTHCHECK rule, and the exit status says it
    expect(states).toEqual([
      [0, "healthy"],
      [0, "healthy"],
      [0, "healthy"],
      [1, "unhealthy"],
      [0, "healthy"],
      [0, "healthy"],
    ]);
  });

  test.runIf(tierAvailable("shell scripts", ["shellcheck"]))("passes shellcheck", () => {
    const script = renderHostHealthScript({
      command: ["/bin/true"],
      intervalSeconds: 1,
      timeoutSeconds: 1,
      retries: 2,
    });
    expect(() => execFileSync("shellcheck", ["-s", "sh", "-"], { input: script })).not.toThrow();
  });
});
