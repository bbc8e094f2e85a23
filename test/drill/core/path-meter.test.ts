import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import {
  echoLosses,
  lateStretches,
  lossSummary,
  PathMeter,
  parseEchoLine,
} from "../../../lib/drill/core/path-meter";
import { waitUntil } from "../../../lib/drill/core/wait";
import { tierAvailable } from "../../support/tiers";

describe("parseEchoLine", () => {
  test("reads the wall-clock stamp and the round trip of an answer; nothing else is one", () => {
    expect(
      parseEchoLine("[1796317199.235014] 64 bytes from 198.18.0.5: icmp_seq=1 ttl=64 time=0.025 ms"),
    ).toEqual({
      wallMs: 1796317199235.014,
      rttMs: 0.025,
      seq: 1,
    });
    expect(
      parseEchoLine("[1796317199.5] 64 bytes from 198.18.0.5: icmp_seq=12 ttl=63 time=404 ms")?.rttMs,
    ).toBe(404);
    for (const other of [
      "PING 198.18.0.5 (198.18.0.5) 56(84) bytes of data.",
      "[1796317199.235014] From 198.18.0.1 icmp_seq=3 Destination Host Unreachable",
      "[1796317199.235014] no answer yet for icmp_seq=4",
      "rtt min/avg/max/mdev = 0.025/0.040/0.050/0.011 ms",
      "",
    ]) {
      expect(parseEchoLine(other)).toBeUndefined();
    }
  });
});

describe("lateStretches", () => {
  test("answers held back together are one stretch, given by the one held longest", () => {
    // A 400 ms stall seen by two hosts' echoes, 50 ms apart: they all come back at once.
    const offset = 1_000_000;
    const at = (driftMs: number, rttMs: number) => ({ wallMs: offset + driftMs, rttMs });
    const stretches = lateStretches(
      [
        at(5000, 0.3),
        at(5400, 400),
        at(5401, 351),
        at(5402, 300),
        at(5403, 250),
        at(5402, 390),
        at(5450, 0.4),
      ],
      150,
      offset,
    );
    expect(stretches).toEqual([{ endMs: 5400, gapMs: 400 }]);
  });

  test("a way in slow for seconds, each answer 160-180 ms late, is one hold of its longest-held answer, not seconds long", () => {
    const answers = Array.from({ length: 60 }, (_, i) => ({
      wallMs: 1000 + i * 50,
      rttMs: i === 30 ? 180 : 160,
    }));
    expect(lateStretches(answers, 150, 0)).toEqual([{ endMs: 2500, gapMs: 180 }]);
  });

  test("two stalls apart are two stretches, in time order; answers under the threshold are none", () => {
    const stretches = lateStretches(
      [
        { wallMs: 9000, rttMs: 200 },
        { wallMs: 2000, rttMs: 300 },
        { wallMs: 2010, rttMs: 149.9 },
        { wallMs: 5000, rttMs: 10 },
      ],
      150,
      0,
    );
    expect(stretches).toEqual([
      { endMs: 2000, gapMs: 300 },
      { endMs: 9000, gapMs: 200 },
    ]);
  });
});

describe("echoLosses", () => {
  // Echoes every 50 ms from wall 1000 (drill clock = wall − 500), each answered 1 ms later.
  const echo = (seq: number, rttMs = 1) => ({ seq, wallMs: 1000 + seq * 50 + rttMs, rttMs });

  test("a run of unanswered echoes between two answers is one loss, from one answered request to the next", () => {
    const answers = [echo(1), echo(2), echo(3), echo(7), echo(8), echo(10)];
    expect(echoLosses("l4", answers, 500)).toEqual([
      { host: "l4", endMs: 850, gapMs: 200, echoes: 3 },
      { host: "l4", endMs: 1000, gapMs: 100, echoes: 1 },
    ]);
  });

  test("answers out of order and duplicates lose nothing; echoes after the last answer are not counted", () => {
    const answers = [echo(1), echo(3, 60), echo(2, 120), echo(3), echo(4)];
    expect(echoLosses("l7", answers, 0)).toEqual([]);
    expect(echoLosses("l7", [echo(1)], 0)).toEqual([]);
  });

  test("a run's summary keeps the losses from 10 s before the fault on, against the fault", () => {
    const losses = [
      { host: "a", endMs: 1000, gapMs: 300, echoes: 5 },
      { host: "b", endMs: 25_000, gapMs: 4000, echoes: 79 },
      { host: "a", endMs: 90_000, gapMs: 100, echoes: 1 },
    ];
    expect(lossSummary(losses, 20_000, 60_000)).toEqual({
      count: 1,
      echoes: 79,
      longestMs: 4000,
      losses: [{ host: "b", startSeconds: 1, ms: 4000, echoes: 79 }],
    });
  });
});

// A late answer needs a held-back way (the split lab's test stops qemu for it); ping itself can
// not fake one: it takes each answer's kernel receive time, so a stopped ping reads none late.
describe.skipIf(!tierAvailable("path meter", ["ping"]))("PathMeter", () => {
  test("counts a real ping's answers to loopback, none of them late", async () => {
    const procs: ChildProcess[] = [];
    const meter = PathMeter.start(
      (_place, argv) => {
        const p = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
        procs.push(p);
        return p;
      },
      [{ host: "loopback", place: "here", address: "127.0.0.1" }],
      20,
      150,
    );
    try {
      const took = await waitUntil(() => meter.read().answers >= 10, 5000, 20);
      expect(took, "ten answers within 5 s").toBeDefined();
      expect(meter.read()).toMatchObject({ thresholdMs: 150, stalls: [], losses: [] });
    } finally {
      for (const p of procs) p.kill("SIGKILL");
    }
  });
});
