import { describe, expect, test } from "vitest";
import { ReplicationMode } from "../../../lib/topologies/replicated-postgres/replication-mode";
import { caught } from "../../support/errors";

const WHERE = "s/db";

describe("ReplicationMode", () => {
  test("gives Patroni's settings for each mode", () => {
    expect(ReplicationMode.asynchronous().patroniSettings()).toEqual({
      synchronous_mode: false,
      synchronous_mode_strict: false,
      maximum_lag_on_failover: 1048576,
    });
    expect(ReplicationMode.synchronous({ strict: true }).patroniSettings()).toEqual({
      synchronous_mode: true,
      synchronous_mode_strict: true,
      synchronous_node_count: 1,
    });
    expect(ReplicationMode.quorum({ count: 2 }).patroniSettings()).toEqual({
      synchronous_mode: true,
      synchronous_mode_strict: false,
      synchronous_node_count: 2,
    });
  });

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
