/** The agent compiles under the host's python3 (the guest runs the same one) and names its port. */
import { describe, expect, test } from "vitest";
import { CONTROL_PORT, GUEST_AGENT } from "../../../lib/drill/vm/guest-agent";
import { runCommand } from "../../support/netns";
import { tierAvailable } from "../../support/tiers";

const available = tierAvailable("daemon checks: VM agent", ["python3"]);

describe("guest agent", () => {
  test("it serves the port qemu's command line names", () => {
    expect(GUEST_AGENT).toContain(`PORT = "${CONTROL_PORT}"`);
    for (const op of ["exec", "spawn", "signal", "input", "ping"]) expect(GUEST_AGENT).toContain(`"${op}"`);
  });

  test.runIf(available)("it compiles", () => {
    const source = JSON.stringify(GUEST_AGENT);
    const r = runCommand("python3", ["-c", `compile(${source}, "agent.py", "exec")`]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
