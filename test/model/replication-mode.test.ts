import { describe, expect, test } from "vitest";
import { ReplicationMode } from "../../lib/model/replication-mode";
import { caught } from "../support/errors";

describe("ReplicationMode", () => {
  test.each([
    [
      "asynchronous",
      ReplicationMode.asynchronous(),
      { kind: "asynchronous", strict: false, synchronousCount: 0 },
      false,
    ],
    [
      "synchronous",
      ReplicationMode.synchronous(),
      { kind: "synchronous", strict: false, synchronousCount: 1 },
      true,
    ],
    [
      "synchronous strict",
      ReplicationMode.synchronous({ strict: true }),
      { kind: "synchronous", strict: true, synchronousCount: 1 },
      true,
    ],
    [
      "quorum of 2",
      ReplicationMode.quorum({ count: 2 }),
      { kind: "quorum", strict: false, synchronousCount: 2 },
      true,
    ],
    [
      "quorum of 2, strict",
      ReplicationMode.quorum({ count: 2, strict: true }),
      { kind: "quorum", strict: true, synchronousCount: 2 },
      true,
    ],
  ])("%s", (_name, mode, expected, lossless) => {
    // GIVEN the mode from its factory
    // WHEN its fields are read
    // THEN they say what Patroni is told, and whether a failover can lose an acknowledged commit
    expect({ kind: mode.kind, strict: mode.strict, synchronousCount: mode.synchronousCount }).toEqual(
      expected,
    );
    expect(mode.losesNoAcknowledgedCommit).toBe(lossless);
  });
});

const WHERE = "s/db";

describe("ReplicationMode.check and describe", () => {
  test("refuses more synchronous standbys than the cluster has replicas, naming the path", () => {
    const e = caught(() => ReplicationMode.quorum({ count: 3 }).check(WHERE, 3));
    expect(e.message).toContain(WHERE);
    expect(e.message).toContain("give at most 2: the cluster has 3 nodes");
  });

  test.each([0, 1.5, -1])("refuses a quorum of %s", (count) => {
    expect(caught(() => ReplicationMode.quorum({ count }).check(WHERE, 5)).message).toContain("at least 1");
  });

  test("refuses a negative lag bound", () => {
    expect(
      caught(() => ReplicationMode.asynchronous({ maximumLagOnFailoverBytes: -1 }).check(WHERE, 3)).message,
    ).toContain("maximumLagOnFailoverBytes");
  });

  test("accepts what a cluster can meet", () => {
    expect(() => ReplicationMode.synchronous({ strict: true }).check(WHERE, 2)).not.toThrow();
    expect(() => ReplicationMode.quorum({ count: 2 }).check(WHERE, 3)).not.toThrow();
    expect(ReplicationMode.synchronous().describe()).toBe(
      "one synchronous standby (asynchronous while none is left)",
    );
  });
});
