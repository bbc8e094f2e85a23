import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { renderVipMover, type VipMoverAction } from "../../lib/render/vip-mover";
import { hostileString } from "../support/template-values";

/** The mover's assignments, run by bash: the variables they set, as bash sees them. */
function assigned(action: VipMoverAction, names: readonly string[]): string[] {
  const script = renderVipMover({ instance: "VI_1", action, attempts: 3, firstDelaySeconds: 1 });
  const head = script.slice(0, script.indexOf("\nattempts="));
  const print = `printf '%s\\0' ${names.map((n) => `"$${n}"`).join(" ")}`;
  const r = spawnSync("bash", ["-c", `${head}\n${print}`], { encoding: "utf8", timeout: 10_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\0").slice(0, -1);
}

/** Values bash can hold: no NUL (a shell variable ends at one), and ids are never empty. */
const shellValue = hostileString.map((v) => v.replace(/\0/g, "")).filter((v) => v.length > 0);

describe("renderVipMover", () => {
  test("every address and route-table id reaches the script as one literal shell word", () => {
    fc.assert(
      fc.property(shellValue, fc.array(shellValue, { minLength: 1, maxLength: 3 }), (address, tables) => {
        // GIVEN arbitrary values WHEN bash runs the script's assignments
        const [a, t] = assigned({ kind: "route-table", address, routeTableIds: tables }, [
          "address",
          "route_tables",
        ]);
        // THEN the variables hold exactly the values: nothing expanded, ran or ended the word
        expect(a).toBe(address);
        expect(t).toBe(tables.join(" "));
      }),
      { numRuns: 60 },
    );
  });

  test("an Elastic IP allocation id is one literal shell word", () => {
    fc.assert(
      fc.property(shellValue, (allocationId) => {
        expect(assigned({ kind: "elastic-ip", allocationId }, ["allocation_id"])).toEqual([allocationId]);
      }),
      { numRuns: 30 },
    );
  });
});
