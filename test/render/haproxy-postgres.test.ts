import { describe, expect, test } from "vitest";
import { renderHaproxyCfg } from "../../lib/render/haproxy";
import {
  POSTGRES_ROUTER_DEFAULTS,
  type PostgresRouterConfig,
  postgresHaproxyConfig,
  renderPostgresHaproxyCfg,
} from "../../lib/render/haproxy-postgres";
import { badInputTable } from "../support/bad-inputs";

const WHERE = "stack/db/Router";
const CONFIG: PostgresRouterConfig = {
  nodeName: "router1",
  nodes: [
    { name: "pg1", address: "198.18.0.11" },
    { name: "pg2", address: "198.18.0.12" },
    { name: "pg3", address: "198.18.0.13" },
  ],
  bindAddresses: ["198.18.0.20"],
};

/** The trimmed lines of the section that starts with `header`, up to the next blank line. */
function section(text: string, header: string): string[] {
  const all = text.split("\n");
  const start = all.indexOf(header);
  expect(start, `section "${header}"`).toBeGreaterThanOrEqual(0);
  const end = all.indexOf("", start);
  return all.slice(start + 1, end === -1 ? undefined : end).map((l) => l.trim());
}

describe("renderPostgresHaproxyCfg", () => {
  test("TCP listeners: read-write to the primary, read-only to the replicas", () => {
    // GIVEN a router over three nodes
    // WHEN its haproxy.cfg is rendered
    const text = renderPostgresHaproxyCfg(WHERE, CONFIG);
    // THEN it is in TCP mode with one frontend per port, each to its backend
    expect(section(text, "defaults")).toContain("mode tcp");
    expect(section(text, "frontend fe_read_write")).toEqual([
      "bind 198.18.0.20:5000",
      "default_backend be_primary",
    ]);
    expect(section(text, "frontend fe_read_only")).toEqual([
      "bind 198.18.0.20:5001",
      "default_backend be_replicas",
    ]);
  });

  test("checks each node's role on Patroni's REST API and closes sessions of a node marked down", () => {
    // GIVEN the defaults
    const text = renderPostgresHaproxyCfg(WHERE, CONFIG);
    // WHEN the two backends are read
    const primary = section(text, "backend be_primary");
    const replicas = section(text, "backend be_replicas");
    // THEN the primary's asks /primary, the replicas' /replica with the lag bound, both on port 8008
    expect(primary).toEqual(
      expect.arrayContaining([
        "balance first",
        "option httpchk",
        "http-check send meth GET uri /primary ver HTTP/1.1 hdr Host ha-check",
        "http-check expect status 200",
        "server pg1 198.18.0.11:5432",
        "server pg2 198.18.0.12:5432",
        "server pg3 198.18.0.13:5432",
      ]),
    );
    expect(replicas).toEqual(
      expect.arrayContaining([
        "balance roundrobin",
        "http-check send meth GET uri /replica?lag=1048576 ver HTTP/1.1 hdr Host ha-check",
        "http-check expect status 200",
      ]),
    );
    for (const body of [primary, replicas]) {
      const defaults = body.find((l) => l.startsWith("default-server")) as string;
      expect(defaults).toMatch(/^default-server check inter 1s .* rise 1 fall 2 port 8008 /);
      expect(defaults).toContain("on-marked-down shutdown-sessions");
    }
  });

  test("takes the given ports, lag bound and check timing", () => {
    // GIVEN other ports and a stricter lag
    const c = postgresHaproxyConfig(WHERE, {
      ...CONFIG,
      readWritePort: 6000,
      readOnlyPort: 6001,
      postgresPort: 6432,
      restApiPort: 9008,
      replicaMaxLagBytes: 0,
      checkIntervalMs: 500,
      rise: 2,
      fall: 3,
    });
    // WHEN the config is built
    // THEN the values are in it
    expect(c.frontends.map((f) => f.binds[0]?.port)).toEqual([6000, 6001]);
    expect(c.backends[1]?.check).toMatchObject({
      path: "/replica?lag=0",
      port: 9008,
      intervalMs: 500,
      rise: 2,
      fall: 3,
    });
    expect(c.backends[0]?.servers[0]?.port).toBe(6432);
    expect(renderHaproxyCfg(c)).toBe(
      renderPostgresHaproxyCfg(WHERE, {
        ...CONFIG,
        readWritePort: 6000,
        readOnlyPort: 6001,
        postgresPort: 6432,
        restApiPort: 9008,
        replicaMaxLagBytes: 0,
        checkIntervalMs: 500,
        rise: 2,
        fall: 3,
      }),
    );
    expect(POSTGRES_ROUTER_DEFAULTS.readWritePort).toBe(5000);
  });
});

describe("PostgreSQL router validation", () => {
  const render = (o: Partial<PostgresRouterConfig>) => () =>
    renderPostgresHaproxyCfg(WHERE, { ...CONFIG, ...o });
  badInputTable([
    { name: "no node", build: render({ nodes: [] }), path: WHERE, value: [], allowed: "at least one" },
    {
      name: "a node name with a space",
      build: render({ nodes: [{ name: "pg 1", address: "198.18.0.11" }] }),
      path: WHERE,
      value: "pg 1",
      allowed: "letters",
    },
    {
      name: "a node address that is a name",
      build: render({ nodes: [{ name: "pg1", address: "db.example" }] }),
      path: WHERE,
      value: "db.example",
      allowed: "IPv4",
    },
    {
      name: "two nodes of one name",
      build: render({
        nodes: [
          { name: "pg1", address: "198.18.0.11" },
          { name: "pg1", address: "198.18.0.12" },
        ],
      }),
      path: WHERE,
      value: ["pg1", "pg1"],
      allowed: "distinct name",
    },
    {
      name: "no bind address",
      build: render({ bindAddresses: [] }),
      path: WHERE,
      value: [],
      allowed: "at least one",
    },
    {
      name: "a bind address with a port",
      build: render({ bindAddresses: ["198.18.0.20:80"] }),
      path: WHERE,
      value: "198.18.0.20:80",
      allowed: "IPv4",
    },
    {
      name: "the read-only port on the read-write port",
      build: render({ readOnlyPort: 5000 }),
      path: WHERE,
      value: [5000, 5000, 8405, 8404],
      allowed: "four distinct ports",
    },
    {
      name: "port 65536",
      build: render({ readWritePort: 65536 }),
      path: WHERE,
      value: 65536,
      allowed: "1 to 65535",
    },
    {
      name: "a negative lag",
      build: render({ replicaMaxLagBytes: -1 }),
      path: WHERE,
      value: -1,
      allowed: "whole number",
    },
    {
      name: "a 10 ms check",
      build: render({ checkIntervalMs: 10 }),
      path: WHERE,
      value: 10,
      allowed: "100 to 60000",
    },
    { name: "rise 0", build: render({ rise: 0 }), path: WHERE, value: 0, allowed: "1 to 10" },
    {
      name: "a router name with a hash",
      build: render({ nodeName: "r#1" }),
      path: WHERE,
      value: "r#1",
      allowed: "letters",
    },
  ]);
});
