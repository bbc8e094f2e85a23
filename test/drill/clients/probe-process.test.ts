import { describe, expect, test } from "vitest";
import { parseProbeLine, probeProgram } from "../../../lib/drill/clients/probe-process";

describe("the probe process", () => {
  test("parses the probe process's JSON lines", () => {
    // GIVEN an answered request, an answered DNS query and a refused request as the clients print them
    // WHEN they are parsed
    // THEN the fields map to records
    expect(
      parseProbeLine({ i: 3, s: 10.5, e: 12.25, k: "ok", st: 200, by: "edge-lb-0", be: "web-1" }),
    ).toEqual({
      seq: 3,
      startMs: 10.5,
      endMs: 12.25,
      outcome: "ok",
      status: 200,
      answeredBy: "edge-lb-0",
      servedBy: "web-1",
    });
    expect(
      parseProbeLine({ i: 5, s: 1, e: 2, k: "ok", st: 0, by: "198.18.0.1", an: ["198.18.0.11"], tl: 30 }),
    ).toEqual({
      seq: 5,
      startMs: 1,
      endMs: 2,
      outcome: "ok",
      status: 0,
      answeredBy: "198.18.0.1",
      answers: ["198.18.0.11"],
      ttlSeconds: 30,
    });
    expect(parseProbeLine({ i: 4, s: 20, e: 21, k: "refused", x: "ConnectionRefusedError" })).toEqual({
      seq: 4,
      startMs: 20,
      endMs: 21,
      outcome: "refused",
    });
  });

  test("places a client kind's probe function inside the shared loop", () => {
    // GIVEN a probe function
    // WHEN the program is made
    const program = probeProgram("async def probe(rec):\n    rec['k'] = 'ok'\n");

    // THEN it is defined before the loop that calls it, and the placeholder is gone
    expect(program.indexOf("async def probe(rec):")).toBeGreaterThan(0);
    expect(program.indexOf("async def probe(rec):")).toBeLessThan(
      program.indexOf("await asyncio.wait_for(probe(rec), timeout)"),
    );
    expect(program).not.toContain("#PROBE#");
  });
});
