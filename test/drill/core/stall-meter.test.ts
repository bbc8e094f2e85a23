import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { onThisClock, type StallReading, stallSummary } from "../../../lib/drill/core/stall-meter";

const METER = path.resolve(__dirname, "../../../lib/drill/core/stall-meter.ts");

describe("StallMeter", () => {
  test("records a process stopped for 400 ms as a stall of about that long", async () => {
    // GIVEN a process running a meter (20 ms period, 150 ms threshold), answering readings on IPC
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stall-meter-"));
    const script = path.join(dir, "meter.cjs");
    fs.writeFileSync(
      script,
      `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register();
const { StallMeter } = require(${JSON.stringify(METER)});
const meter = StallMeter.start(20, 150);
process.on("message", async () => process.send(await meter.read()));
process.send("started");
setInterval(() => {}, 1000);
`,
    );
    const child = fork(script, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const next = () => new Promise<unknown>((resolve) => child.once("message", resolve));
    try {
      expect(await next()).toBe("started");
      // (a first reading: the meter's thread runs)
      child.send("read");
      await next();
      await new Promise((r) => setTimeout(r, 100));
      // WHEN it is stopped for 400 ms
      const stoppedAt = Date.now();
      child.kill("SIGSTOP");
      await new Promise((r) => setTimeout(r, 400));
      child.kill("SIGCONT");
      await new Promise((r) => setTimeout(r, 300));
      const askedMs = Date.now();
      child.send("read");
      const after = (await next()) as StallReading;
      const stalls = onThisClock(after, askedMs, Date.now());
      // THEN the stop is a gap of at least 350 ms that began when it was stopped, on this
      // process's clock (a busy machine may add gaps of its own)
      expect(after.thresholdMs).toBe(150);
      const stall = stalls.find((s) => s.gapMs >= 350);
      expect(stall, JSON.stringify(after.stalls)).toBeDefined();
      expect(stall?.gapMs).toBeLessThan(2000);
      const began = (stall?.endMs ?? 0) - (stall?.gapMs ?? 0);
      expect(Math.abs(began - stoppedAt)).toBeLessThan(150);
    } finally {
      child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("moves a reading onto another clock by the middle of the request, and sums it up against the fault", () => {
    const reading: StallReading = {
      nowMs: 10_000,
      thresholdMs: 150,
      stalls: [
        { endMs: 9_000, gapMs: 300 },
        { endMs: 9_500, gapMs: 200 },
      ],
    };
    // asked at 500 and answered at 700 here: the other machine's 10 000 is 600 here
    const moved = onThisClock(reading, 500, 700);
    expect(moved).toEqual([
      { endMs: -400, gapMs: 300 },
      { endMs: 100, gapMs: 200 },
    ]);
    // a fault at 0: the first stall began 0.7 s before it, the second 0.1 s before
    expect(stallSummary(moved, 150, 0, 1_000)).toEqual({
      thresholdMs: 150,
      count: 2,
      longestMs: 300,
      stalls: [
        { startSeconds: -0.7, ms: 300 },
        { startSeconds: -0.1, ms: 200 },
      ],
    });
    // stalls more than 10 s before the fault or after the run's end are left out
    expect(stallSummary(moved, 150, 20_000, 30_000).count).toBe(0);
    expect(stallSummary(moved, 150, -20_000, -15_000).count).toBe(0);
  });
});
