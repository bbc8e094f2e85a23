import { describe, expect, test } from "vitest";
import { findSinglePointsOfFailure } from "../../lib/analysis/single-points-of-failure";
import { tinyModel } from "../support/availability";

const zones = { p: ["z1", "z2"] };

describe("findSinglePointsOfFailure", () => {
  test("finds none in a pair spread over two zones", () => {
    // GIVEN
    const m = tinyModel({
      platforms: zones,
      hosts: { a: "z1", b: "z2" },
      groups: [{ id: "lb", members: ["a", "b"] }],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs).toEqual([]);
  });

  test("names a zone that holds every member, and a lone member", () => {
    // GIVEN
    const m = tinyModel({
      platforms: zones,
      hosts: { a: "z1", b: "z1", c: "z2" },
      groups: [
        { id: "lb", members: ["a", "b"] },
        { id: "db", members: ["c"] },
      ],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs.map((s) => [s.kind, s.id, s.breaks])).toEqual([
      ["failure-domain", "z1", ["lb"]],
      ["failure-domain", "z2", ["db"]],
      ["component", "c", ["db"]],
    ]);
    expect(spofs[0]?.reason).toBe("losing zone z1 (z1) takes down 2 of 3 components");
  });

  test("follows dependencies: a group whose dependency breaks breaks too", () => {
    // GIVEN lb needs web, web needs db, db is one host
    const m = tinyModel({
      platforms: zones,
      hosts: { a: "z1", b: "z2", c: "z1", d: "z2", e: "z1" },
      groups: [
        { id: "lb", members: ["a", "b"], dependsOn: ["web"] },
        { id: "web", members: ["c", "d"], dependsOn: ["db"] },
        { id: "db", members: ["e"] },
      ],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs.find((s) => s.id === "e")?.breaks).toEqual(["db", "lb", "web"]);
  });

  test("counts quorum: three members needing two survive one loss, not two in one zone", () => {
    // GIVEN
    const m = tinyModel({
      platforms: zones,
      hosts: { a: "z1", b: "z1", c: "z2" },
      groups: [{ id: "etcd", members: ["a", "b", "c"], minimumHealthy: 2 }],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs.map((s) => s.id)).toEqual(["z1"]);
  });

  test("a managed component over two zones survives either zone and is no single point itself", () => {
    // GIVEN a managed database spanning both zones, the only member of its group
    const m = tinyModel({ platforms: zones, groups: [{ id: "db", members: ["rds"] }] });
    m.addManagedComponent({
      id: "rds",
      service: "Amazon RDS Multi-AZ",
      role: "database",
      topology: "t",
      failureDomains: ["z1", "z2"],
      failover: [],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs).toEqual([]);
  });

  test("a managed component in one zone fails with it, and alone", () => {
    // GIVEN
    const m = tinyModel({ platforms: zones, groups: [{ id: "db", members: ["rds"] }] });
    m.addManagedComponent({
      id: "rds",
      service: "Amazon RDS Single-AZ",
      role: "database",
      topology: "t",
      failureDomains: ["z2"],
      failover: [],
    });

    // WHEN
    const spofs = findSinglePointsOfFailure(m);

    // THEN
    expect(spofs.map((s) => [s.kind, s.id])).toEqual([
      ["failure-domain", "z2"],
      ["component", "rds"],
    ]);
    expect(spofs[1]?.reason).toBe("Amazon RDS Single-AZ (database) has no redundant peer in db");
  });
});
