import { describe, expect, test } from "vitest";
import { ReplicationMode } from "../../lib/render/replication-mode";

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
