import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { LineBuffer, PendingReplies } from "../../../lib/drill/vm/line-requests";

describe("LineBuffer", () => {
  test("gives each complete line once, however the text is cut into chunks, and keeps the rest", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "\n", "{", "é") }), { maxLength: 12 }),
        (chunks) => {
          const buffer = new LineBuffer();
          const got = chunks.flatMap((c) => buffer.push(c));
          const text = chunks.join("");
          const parts = text.split("\n");
          expect(got).toEqual(parts.slice(0, -1));
          expect(buffer.takeRest()).toBe(parts.at(-1));
          expect(buffer.takeRest()).toBe("");
        },
      ),
    );
  });

  test("a chunk without a newline gives nothing until the newline comes", () => {
    const buffer = new LineBuffer();
    expect(buffer.push('{"id":')).toEqual([]);
    expect(buffer.push('1}\n{"id"')).toEqual(['{"id":1}']);
    expect(buffer.push(":2}\n\n")).toEqual(['{"id":2}', ""]);
  });
});

describe("PendingReplies", () => {
  test("a reply settles its own request only, once", async () => {
    const p = new PendingReplies<string>();
    const a = p.open(10_000, () => new Error("late"));
    const b = p.open(10_000, () => new Error("late"));
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(p.resolve(b.id, "two")).toBe(true);
    expect(p.resolve(b.id, "again")).toBe(false);
    expect(p.reject(a.id, new Error("refused"))).toBe(true);
    await expect(b.reply).resolves.toBe("two");
    await expect(a.reply).rejects.toThrow("refused");
    expect(p.resolve(99, "nobody")).toBe(false);
  });

  test("a request with no reply within its limit fails with its own error, and a late reply is ignored", async () => {
    vi.useFakeTimers();
    try {
      const p = new PendingReplies<string>();
      const a = p.open(500, () => new Error("no answer to exec within 500 ms"));
      const b = p.open(5_000, () => new Error("other"));
      const failed = expect(a.reply).rejects.toThrow("no answer to exec within 500 ms");
      vi.advanceTimersByTime(501);
      await failed;
      expect(p.resolve(a.id, "late")).toBe(false);
      expect(p.resolve(b.id, "in time")).toBe(true);
      await expect(b.reply).resolves.toBe("in time");
    } finally {
      vi.useRealTimers();
    }
  });

  test("the end of the stream fails every waiting request and every later one with the first error", async () => {
    const p = new PendingReplies<string>();
    const a = p.open(10_000, () => new Error("late"));
    const b = p.open(10_000, () => new Error("late"));
    p.failAll(new Error("channel closed"));
    p.failAll(new Error("second"));
    await expect(a.reply).rejects.toThrow("channel closed");
    await expect(b.reply).rejects.toThrow("channel closed");
    expect(p.closedWith?.message).toBe("channel closed");
    await expect(p.open(10_000, () => new Error("late")).reply).rejects.toThrow("channel closed");
    expect(p.resolve(a.id, "after")).toBe(false);
  });
});
