import { describe, expect, test } from "vitest";
import { analyze } from "../../lib/analysis/analyze";
import { AvailabilityModel } from "../../lib/model/availability";

function model(
  groups: Array<{ id: string; members: string[]; minimumHealthy: number; dependsOn?: string[] }>,
  domains: Record<string, string>,
) {
  const m = new AvailabilityModel();
  for (const d of new Set(Object.values(domains)))
    m.addFailureDomain({ id: d, kind: "zone", description: d });
  for (const [id, domain] of Object.entries(domains)) {
    m.addComponent({ id, hostname: id, role: "r", topology: "t", failureDomain: domain });
  }
  for (const g of groups) {
    m.addGroup({
      ...g,
      role: "r",
      topology: "t",
      mechanism: "m",
      predictions: [],
      dependsOn: g.dependsOn ?? [],
    });
  }
  return m;
}

describe("analyze", () => {
  test("finds no single point of failure in a pair spread over two zones", () => {
    // GIVEN
    const m = model([{ id: "lb", members: ["a", "b"], minimumHealthy: 1 }], { a: "z1", b: "z2" });

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.singlePointsOfFailure).toEqual([]);
    expect(doc.redundancyGroups[0]?.toleratedFailures).toBe(1);
  });

  test("names a zone that holds every member, and a lone member", () => {
    // GIVEN
    const m = model(
      [
        { id: "lb", members: ["a", "b"], minimumHealthy: 1 },
        { id: "db", members: ["c"], minimumHealthy: 1 },
      ],
      { a: "z1", b: "z1", c: "z2" },
    );

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.singlePointsOfFailure.map((s) => [s.kind, s.id, s.breaks])).toEqual([
      ["failure-domain", "z1", ["lb"]],
      ["failure-domain", "z2", ["db"]],
      ["component", "c", ["db"]],
    ]);
  });

  test("follows dependencies: a group whose dependency breaks breaks too", () => {
    // GIVEN lb needs web, web needs db, db is one host
    const m = model(
      [
        { id: "lb", members: ["a", "b"], minimumHealthy: 1, dependsOn: ["web"] },
        { id: "web", members: ["c", "d"], minimumHealthy: 1, dependsOn: ["db"] },
        { id: "db", members: ["e"], minimumHealthy: 1 },
      ],
      { a: "z1", b: "z2", c: "z1", d: "z2", e: "z1" },
    );

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.singlePointsOfFailure.find((s) => s.id === "e")?.breaks).toEqual(["db", "lb", "web"]);
  });

  test("counts quorum: three members needing two survive one loss, not two in one zone", () => {
    // GIVEN
    const m = model([{ id: "etcd", members: ["a", "b", "c"], minimumHealthy: 2 }], {
      a: "z1",
      b: "z1",
      c: "z2",
    });

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.singlePointsOfFailure.map((s) => s.id)).toEqual(["z1"]);
  });
});
