/**
 * Tier 2, daemons running: the rendered BIRD configs of a router and two L4 nodes, each in a
 * namespace, the router joined to each node by a veth pair (198.18.10.0/24, 198.18.11.0/24).
 * The L4 nodes' gates run for real against a stub `ipvsadm` (healthy real servers). Checked and
 * measured: the router's kernel gets one ECMP route with a next hop per announcing L4 node; the
 * drain file withdraws a node's next hop; a node that falls silent is dropped by BFD; a node
 * that comes back is merged in again. Timings are printed (real CPU, no emulation).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderBirdL4Conf } from "../../lib/render/bird-l4";
import { renderBirdRouterConf, routerSysctls } from "../../lib/render/bird-router";
import { renderL4Gate } from "../../lib/render/l4-gate";
import {
  cleanupNamespaces,
  NetworkNamespace,
  ownTestNamespaces,
  runCommand,
  waitUntil,
} from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { Bird, IpvsStub, linkNamespaces, nextHops, startGate } from "./bird-lab";
import { Scratch } from "./checkers";
import type { LabProcess } from "./powerdns-lab";
import { measureUntil } from "./powerdns-lab";
import { BFD, BGP } from "./three-tier-variants";

const available = tierAvailable("daemons running: BGP and ECMP", ["bird", "birdc", "ip", "nft", "awk"], true);

const SERVICE = "198.18.100.10";
const NODES = [
  { name: "a", router: "198.18.10.1", address: "198.18.10.11", routerIf: "ra" },
  { name: "b", router: "198.18.11.1", address: "198.18.11.12", routerIf: "rb" },
] as const;
const BOTH = [NODES[0].address, NODES[1].address];
/** Drops every packet in and out of a namespace: a node that falls silent without a link change. */
const SILENCE = `table inet hat_silent {
  chain input { type filter hook input priority 0; policy drop; }
  chain output { type filter hook output priority 0; policy drop; }
}
`;

interface L4Node {
  readonly ns: NetworkNamespace;
  readonly bird: Bird;
  readonly gate: LabProcess;
  readonly drain: string;
}

describe.runIf(available)("BGP from two L4 nodes to a router: ECMP, drain and BFD", () => {
  let scratch: Scratch;
  let router: NetworkNamespace;
  let routerBird: Bird;
  const nodes: L4Node[] = [];
  let startMs = 0;

  const hops = () => nextHops(router, SERVICE);

  beforeAll(() => {
    scratch = new Scratch();
    router = NetworkNamespace.create();
    const l4 = NODES.map(() => NetworkNamespace.create());
    NODES.forEach((n, i) => {
      linkNamespaces(
        router,
        n.routerIf,
        `${n.router}/24`,
        l4[i] as NetworkNamespace,
        "eth0",
        `${n.address}/24`,
      );
    });
    const started = performance.now();
    routerBird = new Bird(
      router,
      scratch,
      "router",
      renderBirdRouterConf({
        routerId: "198.18.10.1",
        localAsn: 65000,
        l4Nodes: NODES.map((n) => ({ name: n.name, address: n.address, asn: 65100 })),
        serviceAddresses: [SERVICE],
        bfd: BFD,
        bgp: BGP,
        passive: false,
      }),
    );
    NODES.forEach((n, i) => {
      const ns = l4[i] as NetworkNamespace;
      const bird = new Bird(
        ns,
        scratch,
        `l4${n.name}`,
        renderBirdL4Conf({
          routerId: n.address,
          localAsn: 65100,
          routers: [{ name: "r1", address: n.router, asn: 65000 }],
          serviceAddresses: [SERVICE],
          bfd: BFD,
          bgp: BGP,
          passive: false,
        }),
      );
      const drain = join(scratch.dir, `drain-${n.name}`);
      const gateScript = scratch.write(
        `gate-${n.name}`,
        renderL4Gate({
          intervalMs: 200,
          drainFile: drain,
          birdSocket: bird.socket,
          virtualServers: [{ address: SERVICE, port: 80 }],
        }),
        0o755,
      );
      const stub = new IpvsStub(scratch, `l4${n.name}`);
      stub.set({ [`TCP  ${SERVICE}:80`]: [1, 1] });
      nodes.push({ ns, bird, drain, gate: startGate(ns, scratch, n.name, gateScript, stub) });
    });
    measureUntil("an ECMP route with both L4 nodes", () => hops().join() === BOTH.join(), 30_000, 20);
    startMs = Math.round(performance.now() - started);
  }, 60_000);

  afterAll(() => {
    for (const n of nodes) {
      n.gate.kill();
      n.bird.process.kill();
    }
    routerBird?.process.kill();
    cleanupNamespaces();
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  test("the router installs one route with a next hop per announcing L4 node", () => {
    // GIVEN both L4 nodes up and their gates seeing live real servers
    console.log(`bgp: BIRD start to a two-way ECMP route in ${startMs} ms`);

    // THEN BGP is established with each, BFD is up on each, and the route has both next hops
    expect(NODES.map((n) => routerBird.bgpInfo(`l4_${n.name}`))).toEqual(["Established", "Established"]);
    const bfd = routerBird.birdc("show", "bfd", "sessions").lines.filter((l) => / Up /.test(l));
    expect(bfd).toHaveLength(2);
    expect(hops()).toEqual(BOTH);
    const route = router.exec("ip", ["route", "show", SERVICE]).stdout;
    expect(route).toMatch(/proto bird/);
  });

  test("the drain file withdraws that node's next hop, and removing it brings it back", () => {
    // WHEN node a is drained
    const node = nodes[0] as L4Node;
    writeFileSync(node.drain, "");
    const drainMs = measureUntil("a's next hop to go", () => hops().join() === NODES[1].address, 10_000, 10);

    // THEN only b is left; and after the file goes, a is back
    rmSync(node.drain);
    const undrainMs = measureUntil("a's next hop to return", () => hops().join() === BOTH.join(), 10_000, 10);
    console.log(
      `bgp: drain file to next hop withdrawn on the router in ${drainMs} ms; back in ${undrainMs} ms (gate interval 200 ms)`,
    );
    expect(drainMs).toBeLessThan(3_000);
    expect(undrainMs).toBeLessThan(3_000);
  });

  test("BFD drops a node that falls silent, and a node that speaks again is merged back", () => {
    // WHEN node a drops every packet (its link stays up: only BFD can tell)
    const node = nodes[0] as L4Node;
    const rules = scratch.write("silent.nft", SILENCE);
    const r = node.ns.exec("nft", ["-f", rules]);
    expect(r.status).toBe(0);
    const detectMs = measureUntil("a's next hop to go", () => hops().join() === NODES[1].address, 10_000, 10);
    const bgpDown = routerBird.bgpInfo("l4_a");

    // AND speaks again
    runCommand("ip", ["netns", "exec", node.ns.name, "nft", "delete", "table", "inet", "hat_silent"]);
    const backMs = measureUntil("a's next hop to return", () => hops().join() === BOTH.join(), 20_000, 20);
    console.log(
      `bgp: silent L4 node dropped by BFD (${BFD.multiplier} × ${BFD.intervalMs} ms) in ${detectMs} ms; back in ${backMs} ms (error wait ${BGP.errorWaitMinSeconds} s)`,
    );

    // AND the return disturbs no session: both next hops stay for the next 3 s (polled every 20 ms)
    const seen = new Set<string>();
    const until = performance.now() + 3_000;
    while (performance.now() < until) {
      seen.add(hops().join());
      runCommand("sleep", ["0.02"]);
    }

    // THEN the session went down for BFD, within about the detection time, and came back
    expect(bgpDown).toMatch(/BFD session down/);
    expect(detectMs).toBeLessThan(1_500);
    expect(routerBird.bgpInfo("l4_a")).toBe("Established");
    expect([...seen]).toEqual([BOTH.join()]);
    expect(routerBird.bgpInfo("l4_b")).toBe("Established");
  });
  test("the router takes only the service /32s: other prefixes an L4 node sends are refused", () => {
    // GIVEN node b reconfigured to announce every static route, among them a /24 and a /32
    // outside the service addresses
    const node = nodes[1] as L4Node;
    const loose = readFileSync(node.bird.confPath, "utf8")
      .replace(
        "if source = RTS_STATIC && net ~ SERVICE_PREFIXES then accept;",
        "if source = RTS_STATIC then accept;",
      )
      .concat(
        "\nprotocol static extra {\n    ipv4;\n    route 198.18.200.0/24 blackhole;\n    route 198.18.100.99/32 blackhole;\n}\n",
      );
    const filteredBefore = routerBird.importFiltered("l4_b");
    expect(filteredBefore).toBeGreaterThanOrEqual(0);
    const path = scratch.write("l4b-loose.bird.conf", loose);
    expect(node.bird.configure(path)).toBe(true);
    try {
      waitUntil(
        "b to send the extra routes",
        () => node.bird.birdc("show", "route", "export", "router_r1").stdout.includes("198.18.200.0/24"),
        5_000,
      );
      // WHEN the router has received them: its import filter refused two more routes, and b's
      // service route is back in BIRD's table and the kernel's (the reconfiguration may restart
      // the session, so neither is taken for granted)
      waitUntil(
        "the router to refuse the two extra routes",
        () => routerBird.importFiltered("l4_b") >= filteredBefore + 2,
        10_000,
      );
      waitUntil(
        "the service route from b",
        () => routerBird.birdc("show", "route", "protocol", "l4_b").stdout.includes(`${SERVICE}/32`),
        10_000,
      );
      waitUntil("the service route", () => hops().join() === BOTH.join(), 5_000);
      const learned = routerBird.birdc("show", "route", "protocol", "l4_b").stdout;

      // THEN the router holds only the service address from b, and its kernel nothing else
      expect(learned).toContain(`${SERVICE}/32`);
      expect(learned).not.toContain("198.18.200.0/24");
      expect(learned).not.toContain("198.18.100.99/32");
      expect(nextHops(router, "198.18.200.0/24")).toEqual([]);
      expect(nextHops(router, "198.18.100.99")).toEqual([]);
    } finally {
      expect(node.bird.configure(node.bird.confPath)).toBe(true);
    }
  });
  test("with the router's sysctls, flows of one client to one service spread over both L4 nodes by port", () => {
    // GIVEN the two-way ECMP route (back after the previous test reconfigured b)
    waitUntil("the two-way route", () => hops().join() === BOTH.join(), 10_000);
    /** The next hop the kernel picks for a TCP flow from source port `port` to the service's port 80. */
    const pick = (port: number) =>
      /via (\S+)/.exec(
        router.exec("ip", ["route", "get", SERVICE, "ipproto", "tcp", "sport", String(port), "dport", "80"])
          .stdout,
      )?.[1];
    const ports = Array.from({ length: 32 }, (_, i) => 40_000 + i);

    // WHEN the kernel hashes on addresses only (its default) THEN every port of the client takes one next hop
    router.exec("sysctl", ["-w", "net.ipv4.fib_multipath_hash_policy=0"]);
    expect(new Set(ports.map(pick)).size).toBe(1);

    // WHEN the router's sysctls are applied THEN the flows spread over both L4 nodes
    for (const [key, value] of Object.entries(routerSysctls())) {
      expect(router.exec("sysctl", ["-w", `${key}=${value}`]).status).toBe(0);
    }
    expect([...new Set(ports.map(pick))].sort()).toEqual(BOTH);
  });
});
