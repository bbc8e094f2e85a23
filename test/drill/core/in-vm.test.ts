import { describe, expect, test } from "vitest";
import { parseArgs } from "../../../lib/drill/core/cli";
import { lineWriter, markEmulated } from "../../../lib/drill/core/in-vm";

describe("ha-drill --vm", () => {
  test("is a flag of its own", () => {
    expect(parseArgs(["s.json", "--vm"]).vm).toBe(true);
    expect(parseArgs(["s.json"]).vm).toBe(false);
  });

  test("marks run and summary lines as measured on an emulated CPU, and nothing else", () => {
    expect(JSON.parse(markEmulated('{"type":"run","passed":true}'))).toEqual({
      type: "run",
      passed: true,
      emulatedCpu: true,
    });
    expect(JSON.parse(markEmulated('{"type":"summary"}'))).toEqual({ type: "summary", emulatedCpu: true });
    expect(markEmulated('{"type":"other"}')).toBe('{"type":"other"}');
    expect(markEmulated("ha-drill: a table line")).toBe("ha-drill: a table line");
    expect(markEmulated("{not json")).toBe("{not json");
  });

  test("passes output on line by line, whatever the chunks", () => {
    const out: string[] = [];
    const w = lineWriter((l) => out.push(l));
    w.write('{"a"');
    w.write(":1}\nsecond");
    w.write(" line\nthird");
    expect(out).toEqual(['{"a":1}\n', "second line\n"]);
    w.end();
    expect(out).toEqual(['{"a":1}\n', "second line\n", "third"]);
  });
});
