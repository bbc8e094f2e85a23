import { describe, expect, test, vi } from "vitest";
import { LAB_USAGE, main } from "../../../lib/drill/engine/lab-cli";

describe("ha-lab", () => {
  test("prints its usage for --help and exits 0", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await main(["--help"])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join("")).toContain("ha-lab up <path to cdk.tf.json>");
    } finally {
      out.mockRestore();
    }
  });

  test.each([[[]], [["deploy"]], [["up"]], [["up", "x.json", "--force"]]])(
    "fails with status 2 and the usage for %j",
    async (argv) => {
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        expect(await main(argv)).toBe(2);
        expect(err.mock.calls.map((c) => String(c[0])).join("")).toContain(
          LAB_USAGE.split("\n")[0] as string,
        );
      } finally {
        err.mockRestore();
      }
    },
  );
});
