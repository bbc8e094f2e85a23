import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LogMirror, SERVED_METHODS } from "../../../lib/drill/core/lab-server";
import { NamespaceLab } from "../../../lib/drill/core/namespace-lab";

describe("the VM half of a split lab", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-log-mirror-"));
    fs.mkdirSync(path.join(dir, "from"));
    fs.mkdirSync(path.join(dir, "to"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("copies what each log gained since the last pass, and only that", async () => {
    // GIVEN two logs in the VM's folder
    const from = (n: string) => path.join(dir, "from", n);
    const to = (n: string) => fs.readFileSync(path.join(dir, "to", n), "utf8");
    fs.writeFileSync(from("a.log"), "one\n");
    fs.writeFileSync(from("b.log"), "");
    const mirror = new LogMirror(path.join(dir, "from"), path.join(dir, "to"));

    // WHEN passes run as the logs grow (two at once among them)
    await mirror.copy();
    fs.appendFileSync(from("a.log"), "two\n");
    fs.appendFileSync(from("b.log"), "first\n");
    await Promise.all([mirror.copy(), mirror.copy()]);
    await mirror.copy();

    // THEN the copies hold each line once, in order; an empty log is not copied until it has lines
    expect(to("a.log")).toBe("one\ntwo\n");
    expect(to("b.log")).toBe("first\n");
  });

  test("serves only methods a namespace lab has, and its own CPU stall meter", () => {
    expect(SERVED_METHODS).toContain("stalls");
    for (const m of SERVED_METHODS.filter((x) => x !== "stalls")) {
      expect(typeof (NamespaceLab.prototype as unknown as Record<string, unknown>)[m], m).toBe("function");
    }
  });
});
