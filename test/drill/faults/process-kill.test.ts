import { afterEach, describe, expect, test } from "vitest";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { waitUntil } from "../../../lib/drill/core/wait";
import { killProcess, pidFromFile, processRunning } from "../../../lib/drill/faults/process-kill";
import { labAvailable, tinyLab } from "../lab-fixture";

describe.runIf(labAvailable())("killProcess", () => {
  let lab: NamespaceLab | undefined;
  afterEach(async () => {
    await lab?.teardown();
  });

  test("kills the process of a pidfile inside a host and leaves a hold file; healing removes it", async () => {
    // GIVEN gamma running a sleeper that wrote /run/sleeper.pid
    lab = await tinyLab();
    const written = async () =>
      (await pidFromFile(lab as NamespaceLab, "gamma", "/run/sleeper.pid")) !== undefined;
    expect(await waitUntil(written, 5000, 20)).toBeDefined();
    expect(await processRunning(lab, "gamma", "/run/sleeper.pid")).toBe(true);

    // WHEN it is killed and held
    const fault = await killProcess(lab, "gamma", {
      pidFile: "/run/sleeper.pid",
      holdFile: "/run/sleeper.hold",
    });

    // THEN the sleeper is gone, the host runs on, and the hold file is there
    expect(fault.killed).toBe(1);
    expect(
      await waitUntil(
        async () => !(await processRunning(lab as NamespaceLab, "gamma", "/run/sleeper.pid")),
        3000,
      ),
    ).toBeDefined();
    expect(lab.isRunning("gamma")).toBe(true);
    expect(await lab.readFile("gamma", "/run/sleeper.hold")).toBe("ha-drill\n");

    // WHEN it is healed
    await fault.heal();

    // THEN the hold file is gone
    expect(await lab.readFile("gamma", "/run/sleeper.hold")).toBeUndefined();
  });

  test("throws for a pidfile that does not exist", async () => {
    // GIVEN the tiny stack
    lab = await tinyLab();

    // WHEN a process without a pidfile is to be killed
    // THEN the drill says what is missing where
    await expect(killProcess(lab, "alpha", { pidFile: "/run/none.pid" })).rejects.toThrow(
      "no process in /run/none.pid on alpha",
    );
  });
});
