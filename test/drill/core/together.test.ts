import { describe, expect, test } from "vitest";
import { startHostsTogether, together } from "../../../lib/drill/core/together";

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms),
  );

describe("together", () => {
  test("gives every value in order", async () => {
    await expect(together([later(20, "a"), later(1, "b")])).resolves.toEqual(["a", "b"]);
  });

  test("throws the first failure in order only once every piece has ended", async () => {
    const ended: string[] = [];
    const piece = (ms: number, name: string, fail: boolean) =>
      later(ms, name, fail).finally(() => ended.push(name));
    await expect(
      together([piece(5, "x", true), piece(40, "slow", false), piece(1, "y", true)]),
    ).rejects.toThrow("x");
    expect(ended.sort()).toEqual(["slow", "x", "y"]);
  });
});

describe("startHostsTogether", () => {
  test("starts each host once, all at the same time", async () => {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const lab = {
      startHost: async (h: string) => {
        running++;
        most = Math.max(most, running);
        await later(10, h);
        started.push(h);
        running--;
      },
    };
    await startHostsTogether(lab, ["a", "b", "a", "c"]);
    expect(started.sort()).toEqual(["a", "b", "c"]);
    expect(most).toBe(3);
  });
});
