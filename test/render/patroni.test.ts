import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "../../lib/errors";
import { ReplicationMode } from "../../lib/model/replication-mode";
import {
  PATRONI_DEFAULTS,
  type PatroniConfig,
  patroniPgHba,
  renderPatroniYml,
} from "../../lib/render/patroni";
import { badInputTable } from "../support/bad-inputs";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";

const WHERE = "stack/db/Node1";

const CONFIG: PatroniConfig = {
  scope: "orders",
  name: "pg1",
  address: "198.18.0.11",
  clusterSize: 3,
  etcdHosts: ["198.18.0.11:2379", "198.18.0.12:2379", "198.18.0.13:2379"],
  dataDir: "/var/lib/postgresql/15/main",
  clusterCidrs: ["198.18.0.0/24"],
  clientCidrs: ["198.18.1.0/24"],
};

function doc(overrides: Partial<PatroniConfig> = {}) {
  return parse(renderPatroniYml(WHERE, { ...CONFIG, ...overrides }));
}

describe("renderPatroniYml", () => {
  test("renders the node, its REST API, etcd, and PostgreSQL 15 with Debian's paths", () => {
    // GIVEN a node of a three-node cluster
    // WHEN its patroni.yml is rendered and parsed
    const d = doc();
    // THEN the local settings are those of the node
    expect(d.scope).toBe("orders");
    expect(d.name).toBe("pg1");
    expect(d.restapi).toEqual({
      listen: "198.18.0.11:8008",
      connect_address: "198.18.0.11:8008",
      allowlist: ["198.18.0.0/24"],
    });
    expect(d.etcd3).toEqual({ hosts: CONFIG.etcdHosts });
    expect(d.postgresql).toMatchObject({
      listen: "198.18.0.11,127.0.0.1:5432",
      connect_address: "198.18.0.11:5432",
      data_dir: "/var/lib/postgresql/15/main",
      bin_dir: "/usr/lib/postgresql/15/bin",
      pgpass: "/run/patroni/pgpass",
      use_unix_socket: true,
      parameters: { unix_socket_directories: "/var/run/postgresql" },
    });
    expect(d.tags).toEqual({ nofailover: false, noloadbalance: false, clonefrom: false, nosync: false });
  });

  test("names the users but renders no password", () => {
    // GIVEN default users
    const text = renderPatroniYml(WHERE, CONFIG);
    // WHEN parsed
    // THEN each role has a username and no password key at all
    expect(parse(text).postgresql.authentication).toEqual({
      superuser: { username: "postgres" },
      replication: { username: "replicator" },
      rewind: { username: "rewind_user" },
    });
    expect(text).not.toMatch(/password:/);
  });

  test("bootstraps with fast-failover timing, failsafe mode, pg_rewind and replication slots", () => {
    // GIVEN the defaults
    // WHEN rendered
    const dcs = doc().bootstrap.dcs;
    // THEN the DCS settings are these, loop_wait + 2 × retry_timeout within ttl
    expect(dcs).toMatchObject({
      ttl: 8,
      loop_wait: 1,
      retry_timeout: 3,
      maximum_lag_on_failover: 1048576,
      failsafe_mode: true,
    });
    expect(dcs.loop_wait + 2 * dcs.retry_timeout).toBeLessThanOrEqual(dcs.ttl);
    expect(dcs.postgresql).toEqual({
      use_pg_rewind: true,
      use_slots: true,
      parameters: {
        wal_level: "replica",
        hot_standby: "on",
        wal_log_hints: "on",
        max_wal_senders: 10,
        max_replication_slots: 10,
        wal_keep_size: "256MB",
        max_connections: 100,
        password_encryption: "scram-sha-256",
      },
    });
    expect(doc().bootstrap.initdb).toEqual([{ encoding: "UTF8" }, "data-checksums"]);
  });

  test.each([
    ["asynchronous", ReplicationMode.asynchronous(), { synchronous_mode: false }],
    [
      "synchronous",
      ReplicationMode.synchronous(),
      { synchronous_mode: true, synchronous_mode_strict: false, synchronous_node_count: 1 },
    ],
    [
      "synchronous strict",
      ReplicationMode.synchronous({ strict: true }),
      { synchronous_mode: true, synchronous_mode_strict: true, synchronous_node_count: 1 },
    ],
    [
      "quorum of 2",
      ReplicationMode.quorum({ count: 2 }),
      { synchronous_mode: true, synchronous_mode_strict: false, synchronous_node_count: 2 },
    ],
  ])("renders the %s replication mode", (_name, replication, expected) => {
    // GIVEN the mode
    // WHEN rendered
    const dcs = doc({ replication }).bootstrap.dcs;
    // THEN exactly these synchronous settings are present
    const sync = Object.fromEntries(Object.entries(dcs).filter(([k]) => k.startsWith("synchronous")));
    expect(sync).toEqual(expected);
  });

  test("defaults to one synchronous standby", () => {
    expect(doc().bootstrap.dcs.synchronous_mode).toBe(true);
  });

  test("limits pg_hba to the postgres account's own socket (peer), loopback, the cluster's and the clients' networks, scram-sha-256 otherwise", () => {
    // GIVEN a cluster network and a client network
    // WHEN rendered
    const d = doc();
    // THEN both pg_hba lists are exactly these lines
    const expected = [
      "local all postgres peer",
      "local all all scram-sha-256",
      "host all all 127.0.0.1/32 scram-sha-256",
      "local replication replicator scram-sha-256",
      "host replication replicator 127.0.0.1/32 scram-sha-256",
      "host replication replicator 198.18.0.0/24 scram-sha-256",
      "host all all 198.18.0.0/24 scram-sha-256",
      "host all all 198.18.1.0/24 scram-sha-256",
    ];
    expect(d.postgresql.pg_hba).toEqual(expected);
    expect(d.bootstrap.pg_hba).toEqual(expected);
  });

  test("does not repeat a client network that is the cluster's", () => {
    const hba = patroniPgHba(
      { superuser: "su", replication: "repl", rewind: "rw" },
      ["10.0.0.0/24"],
      ["10.0.0.0/24"],
    );
    expect(hba.filter((l) => l.includes("10.0.0.0/24"))).toEqual([
      "host replication repl 10.0.0.0/24 scram-sha-256",
      "host all all 10.0.0.0/24 scram-sha-256",
    ]);
  });

  test("takes the given users, ports, paths, timing and tags", () => {
    // GIVEN every optional setting
    const d = doc({
      users: { superuser: "dba", replication: "standby", rewind: "rewinder" },
      postgresPort: 6432,
      restApiPort: 9008,
      binDir: "/opt/pg/bin",
      pgpassPath: "/run/p/pgpass",
      socketDir: "/run/p/socket",
      ttlSeconds: 30,
      loopWaitSeconds: 10,
      retryTimeoutSeconds: 10,
      maximumLagOnFailoverBytes: 0,
      failsafeMode: false,
      maxConnections: 300,
      tags: { nofailover: true, nosync: true },
    });
    // WHEN rendered
    // THEN they are in the file
    expect(d.postgresql.authentication.replication).toEqual({ username: "standby" });
    expect(d.postgresql.listen).toBe("198.18.0.11,127.0.0.1:6432");
    expect(d.restapi.listen).toBe("198.18.0.11:9008");
    expect([
      d.postgresql.bin_dir,
      d.postgresql.pgpass,
      d.postgresql.parameters.unix_socket_directories,
    ]).toEqual(["/opt/pg/bin", "/run/p/pgpass", "/run/p/socket"]);
    expect(d.bootstrap.dcs).toMatchObject({
      ttl: 30,
      loop_wait: 10,
      retry_timeout: 10,
      maximum_lag_on_failover: 0,
    });
    expect(d.bootstrap.dcs.failsafe_mode).toBe(false);
    expect(d.bootstrap.dcs.postgresql.parameters.max_connections).toBe(300);
    expect(d.postgresql.pg_hba).toContain("host replication standby 198.18.0.0/24 scram-sha-256");
    // peer maps an account to the role of its own name: only a superuser named postgres gets it.
    expect(d.postgresql.pg_hba.filter((l: string) => l.includes("peer"))).toEqual([]);
    expect(d.tags).toEqual({ nofailover: true, noloadbalance: false, clonefrom: false, nosync: true });
  });

  test("is the same for the same input, and shares its defaults", () => {
    expect(renderPatroniYml(WHERE, CONFIG)).toBe(renderPatroniYml(WHERE, CONFIG));
    expect(PATRONI_DEFAULTS.binDir).toBe("/usr/lib/postgresql/15/bin");
  });
});

describe("Patroni validation", () => {
  const render = (o: Partial<PatroniConfig>) => () => renderPatroniYml(WHERE, { ...CONFIG, ...o });
  badInputTable([
    {
      name: "a scope with a space",
      build: render({ scope: "my db" }),
      path: WHERE,
      value: "my db",
      allowed: "letters",
    },
    {
      name: "a name with a newline",
      build: render({ name: "a\nb" }),
      path: WHERE,
      value: "a\nb",
      allowed: "letters",
    },
    {
      name: "an IPv6 address",
      build: render({ address: "::1" }),
      path: WHERE,
      value: "::1",
      allowed: "IPv4",
    },
    {
      name: "no etcd host",
      build: render({ etcdHosts: [] }),
      path: WHERE,
      value: [],
      allowed: "at least one",
    },
    {
      name: "an etcd host without a port",
      build: render({ etcdHosts: ["198.18.0.11"] }),
      path: WHERE,
      value: "198.18.0.11",
      allowed: "address and port",
    },
    {
      name: "an etcd URL",
      build: render({ etcdHosts: ["http://198.18.0.11:2379"] }),
      path: WHERE,
      value: "http://198.18.0.11:2379",
      allowed: "address and port",
    },
    {
      name: "a relative data dir",
      build: render({ dataDir: "pgdata" }),
      path: WHERE,
      value: "pgdata",
      allowed: "absolute",
    },
    {
      name: "a cluster network with host bits",
      build: render({ clusterCidrs: ["198.18.0.1/24"] }),
      path: WHERE,
      value: "198.18.0.1/24",
      allowed: "host bits must be zero",
    },
    {
      name: "no cluster network",
      build: render({ clusterCidrs: [] }),
      path: WHERE,
      value: [],
      allowed: "network(s)",
    },
    {
      name: "a client network that is a name",
      build: render({ clientCidrs: ["clients"] }),
      path: WHERE,
      value: "clients",
      allowed: "CIDR",
    },
    {
      name: "the REST API on PostgreSQL's port",
      build: render({ restApiPort: 5432 }),
      path: WHERE,
      value: 5432,
      allowed: "other than PostgreSQL's",
    },
    { name: "port 0", build: render({ postgresPort: 0 }), path: WHERE, value: 0, allowed: "1 to 65535" },
    {
      name: "an upper-case role",
      build: render({ users: { superuser: "Admin" } }),
      path: WHERE,
      value: "Admin",
      allowed: "lower-case",
    },
    {
      name: "a role with a quote",
      build: render({ users: { replication: "re'pl" } }),
      path: WHERE,
      value: "re'pl",
      allowed: "lower-case",
    },
    {
      name: "the same role twice",
      build: render({ users: { superuser: "postgres", rewind: "postgres" } }),
      path: WHERE,
      value: { superuser: "postgres", replication: "replicator", rewind: "postgres" },
      allowed: "distinct",
    },
    {
      name: "a ttl shorter than loop_wait + 2 × retry_timeout",
      build: render({ ttlSeconds: 10, loopWaitSeconds: 2, retryTimeoutSeconds: 5 }),
      path: WHERE,
      value: 10,
      allowed: "at least loop_wait + 2 × retry_timeout = 12",
    },
    {
      name: "loop_wait 0",
      build: render({ loopWaitSeconds: 0 }),
      path: WHERE,
      value: 0,
      allowed: "1 to 600",
    },
    {
      name: "a negative lag",
      build: render({ maximumLagOnFailoverBytes: -1 }),
      path: WHERE,
      value: -1,
      allowed: "whole number",
    },
    {
      name: "more synchronous standbys than replicas",
      build: render({ replication: ReplicationMode.quorum({ count: 3 }) }),
      path: WHERE,
      value: 3,
      allowed: "at most the 2 replicas",
    },
    {
      name: "a quorum of 0",
      build: render({ replication: ReplicationMode.quorum({ count: 0 }) }),
      path: WHERE,
      value: 0,
      allowed: "1 to 63",
    },
    {
      name: "synchronous mode without replicas",
      build: render({ clusterSize: 1 }),
      path: WHERE,
      value: 1,
      allowed: "at most the 0 replicas",
    },
    {
      name: "a cluster of 0 nodes",
      build: render({ clusterSize: 0 }),
      path: WHERE,
      value: 0,
      allowed: "1 to 64",
    },
    {
      name: "a bin dir with a space",
      build: render({ binDir: "/opt/pg 15/bin" }),
      path: WHERE,
      value: "/opt/pg 15/bin",
      allowed: "absolute path",
    },
    {
      name: "too few connections",
      build: render({ maxConnections: 5 }),
      path: WHERE,
      value: 5,
      allowed: "10 to 10000",
    },
  ]);
});

describe("Patroni strings", () => {
  const text = fc.oneof(
    fc.string(),
    fc
      .array(fc.constantFrom(...DANGEROUS_CHARACTERS, "a", "Z", "0", "_", "-", ".", "/"), { maxLength: 12 })
      .map((p) => p.join("")),
    // Strings of only the characters every setting takes, so that each run accepts some.
    fc
      .array(fc.constantFrom("a", "z", "r", "_", "0", "9"), { minLength: 1, maxLength: 12 })
      .map((p) => `r${p.join("")}`),
  );

  /** Each free-text setting: how to put a value there and where it reads back. */
  const SLOTS = {
    scope: { put: (v: string) => ({ scope: v }), get: (d: Doc) => d.scope, prefix: "" },
    name: { put: (v: string) => ({ name: v }), get: (d: Doc) => d.name, prefix: "" },
    dataDir: { put: (v: string) => ({ dataDir: v }), get: (d: Doc) => d.postgresql.data_dir, prefix: "/" },
    role: {
      put: (v: string) => ({ users: { replication: v } }),
      get: (d: Doc) => d.postgresql.authentication.replication.username,
      prefix: "",
    },
  } as const;
  type Doc = ReturnType<typeof doc>;

  test.each(Object.keys(SLOTS) as Array<keyof typeof SLOTS>)(
    "%s: a user string is either rejected or read back exactly where it was put",
    (slot) => {
      const { put, get, prefix } = SLOTS[slot];
      let accepted = 0;
      fc.assert(
        fc.property(text, (raw) => {
          // GIVEN an arbitrary string in the setting (a path's leading '/' added half the time)
          const value = raw.length % 2 === 0 ? `${prefix}${raw}` : raw;
          // WHEN rendered
          let rendered: string;
          try {
            rendered = renderPatroniYml(WHERE, { ...CONFIG, ...put(value) });
          } catch (e) {
            // THEN either the input is refused with a ValidationError ...
            expect(e).toBeInstanceOf(ValidationError);
            return;
          }
          // ... or it reads back unchanged where it was put, and no key appeared
          accepted += 1;
          const d = parse(rendered);
          expect(get(d)).toBe(value);
          expect(Object.keys(d).sort()).toEqual([
            "bootstrap",
            "etcd3",
            "name",
            "postgresql",
            "restapi",
            "scope",
            "tags",
          ]);
        }),
        { numRuns: 300 },
      );
      expect(accepted).toBeGreaterThan(10);
    },
  );
});
