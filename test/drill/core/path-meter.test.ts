import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { lateStretches, PathMeter, parseEchoLine } from "../../../lib/drill/core/path-meter";
import { waitUntil } from "../../../lib/drill/core/wait";
import { tierAvailable } from "../../support/tiers";

describe("parseEchoLine", () => {
  test("reads the wall-clock stamp and the round trip of an answer; nothing else is one", () => {
    expect(
      parseEchoLine("[1796317199.235014] 64 bytes from 198.18.0.5: icmp_seq=1 ttl=64 time=0.025 ms"),
    ).toEqual({
      wallMs: 1796317199235.014,
      rttMs: 0.025,
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
      expect(meter.read()).toMatchObject({ thresholdMs: 150, stalls: [] });
    } finally {
      for (const p of procs) p.kill("SIGKILL");
    }
  });
});
