/**
 * Tier 2, daemon checks: the L4 gate script parses in bash and shellcheck finds nothing in it; run
 * against a real BIRD (the rendered L4 config, in a namespace) and a stub `ipvsadm`, it enables
 * exactly the service protocols the drain file and the real servers' weights allow, and a running
 * gate decides only when what it looks at changed; with a stub `birdc`, it withdraws while the
 * node has lost every BGP session and waits out the hold-down after.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { renderBirdL4Conf } from "../../lib/render/bird-l4";
import { type L4GateConfig, renderL4Gate } from "../../lib/render/l4-gate";
import {
  cleanupNamespaces,
  NetworkNamespace,
  ownTestNamespaces,
  runCommand,
  waitUntil,
} from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { Bird, gateOnce, IpvsStub, startGate } from "./bird-lab";
import { checkShellcheck, checkShellSyntax, clean, Scratch } from "./checkers";
import { LabProcess, measureUntil } from "./powerdns-lab";
import { BFD, BGP, GATE_VARIANTS } from "./three-tier-variants";

const scriptsAvailable = tierAvailable("daemon checks: L4 gate script", ["bash", "shellcheck"]);
const birdAvailable = tierAvailable("daemon checks: L4 gate with BIRD", ["bird", "birdc", "ip", "awk"], true);

/** The header line of `/proc/net/tcp`; `bgpLine` is an established connection to port 179. */
const TCP_HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const bgpLine = (sl: number) =>
  `   ${sl}: 0B0012C6:C35${sl} 010012C6:00B3 01 00000000:00000000 00:00000000 00000000     0        0 1000${sl} 1\n`;

const A = "svc_198_18_100_10";
const B = "svc_198_18_100_11";

describe.runIf(scriptsAvailable)("bash -n and shellcheck of the gate", () => {
  let scratch: Scratch;
  beforeAll(() => {
    scratch = new Scratch();
  });
  afterAll(() => {
    scratch?.remove();
  });

  test.each(GATE_VARIANTS)("accepts $name", ({ name, text }) => {
    const path = scratch.write(`${name}.sh`, text, 0o755);
    const verdicts = [checkShellSyntax("bash", path), checkShellcheck(path)];
    expect(verdicts).toEqual(verdicts.map(clean));
  });
});

describe.runIf(birdAvailable)("the gate against a running BIRD", () => {
  let scratch: Scratch;
  let ns: NetworkNamespace;
  let bird: Bird;
  let stub: IpvsStub;
  let drain: string;
  let conf: string;
  let tcp: string;

  function gateScript(overrides: Partial<L4GateConfig> = {}): string {
    const config: L4GateConfig = {
      intervalMs: 100,
      drainFile: drain,
      birdSocket: bird.socket,
      ipvsTableFile: stub.table,
      tcpTableFiles: [tcp],
      virtualServers: [
        { address: "198.18.100.10", port: 80 },
        { address: "198.18.100.10", port: 443 },
        { address: "198.18.100.11", port: 80 },
      ],
      ...overrides,
    };
    return scratch.write("ha-l4-gate", renderL4Gate(config), 0o755);
  }

  function states(): [string | undefined, string | undefined] {
    const p = bird.protocols();
    return [p[A], p[B]];
  }

  beforeAll(() => {
    scratch = new Scratch();
    drain = join(scratch.dir, "drain");
    tcp = scratch.write("tcp", TCP_HEADER);
    ns = NetworkNamespace.create({ address: "198.18.0.11/24" });
    conf = renderBirdL4Conf({
      routerId: "198.18.0.11",
      localAsn: 65100,
      routers: [{ name: "r1", address: "198.18.0.1", asn: 65000 }],
      serviceAddresses: ["198.18.100.10", "198.18.100.11"],
      bfd: BFD,
      bgp: BGP,
      passive: true,
    });
    bird = new Bird(ns, scratch, "l4", conf);
    stub = new IpvsStub(scratch, "l4");
  });
  afterEach(() => {
    rmSync(drain, { force: true });
    // Back to the start: nothing announced.
    bird?.birdc("disable", A);
    bird?.birdc("disable", B);
  });
  afterAll(() => {
    bird?.stop();
    cleanupNamespaces();
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  test("BIRD starts with every service protocol disabled: nothing is announced before the gate", () => {
    expect(states()).toEqual(["down", "down"]);
  });

  test("announces each address whose every port has a live real server, and only while undrained", () => {
    const gate = gateScript();
    const step = (ipvs: Record<string, number[]>, drained: boolean) => {
      stub.set(ipvs);
      if (drained) writeFileSync(drain, "");
      else rmSync(drain, { force: true });
      const r = gateOnce(ns, gate, stub);
      return { status: r.status, states: states(), log: r.stderr };
    };
    const all = {
      "TCP  198.18.100.10:80": [1, 0],
      "TCP  198.18.100.10:443": [0, 2],
      "TCP  198.18.100.11:80": [1],
    };

    // GIVEN no virtual service at all WHEN the gate runs THEN nothing is announced
    expect(step({}, false).states).toEqual(["down", "down"]);
    // GIVEN a live real server everywhere (weights 1 and 2 among 0s) THEN both addresses are announced
    const up = step(all, false);
    expect(up.states).toEqual(["up", "up"]);
    expect(up.log).toMatch(/announcing 198\.18\.100\.10: 2 of 2 virtual services have a live real server/);
    // GIVEN port 443 with every real server at weight 0 THEN .10 is withdrawn, .11 stays
    const partial = step({ ...all, "TCP  198.18.100.10:443": [0, 0] }, false);
    expect(partial.states).toEqual(["down", "up"]);
    expect(partial.log).toMatch(
      /withdrawing 198\.18\.100\.10: no live real server for TCP:198\.18\.100\.10:443/,
    );
    // GIVEN the drain file THEN everything is withdrawn, healthy or not
    const drained = step(all, true);
    expect(drained.states).toEqual(["down", "down"]);
    expect(drained.log).toContain(`withdrawing 198.18.100.11: drained (${drain} exists)`);
    // GIVEN the drain file removed THEN both come back
    expect(step(all, false).states).toEqual(["up", "up"]);
    // GIVEN a UDP service of the same address and port THEN it does not stand in for the TCP one
    expect(step({ "UDP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1] }, false).states).toEqual([
      "down",
      "down",
    ]);
    // AND a round that changes nothing logs nothing and exits 0
    const quiet = step({}, false);
    expect([quiet.status, quiet.log]).toEqual([0, ""]);
  });

  test("with any-port-healthy, one live port is enough", () => {
    const gate = gateScript({ announceWhen: "any-port-healthy" });
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [0] });
    gateOnce(ns, gate, stub);
    expect(states()).toEqual(["up", "down"]);
  });

  test("withdraws everything when ipvsadm fails (no IPVS, keepalived not started)", () => {
    const gate = gateScript();
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1], "TCP  198.18.100.11:80": [1] });
    gateOnce(ns, gate, stub);
    expect(states()).toEqual(["up", "up"]);
    stub.fail();
    try {
      gateOnce(ns, gate, stub);
      expect(states()).toEqual(["down", "down"]);
    } finally {
      stub.heal();
    }
  });

  test("exits 1 and says so when BIRD does not answer", () => {
    const gate = gateScript({ birdSocket: join(scratch.dir, "nobody.ctl") });
    const r = gateOnce(ns, gate, stub);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/BIRD does not answer on .*nobody\.ctl/);
  });

  test("running, it withdraws within a round of the drain file and withdraws everything when stopped", () => {
    // GIVEN the gate running every 100 ms with every service healthy
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1], "TCP  198.18.100.11:80": [1] });
    const gate = startGate(ns, scratch, "run", gateScript(), stub);
    try {
      waitUntil("the gate to announce both", () => states().join() === "up,up", 5_000);

      // WHEN the drain file appears THEN both are withdrawn within a few rounds
      writeFileSync(drain, "");
      const drainMs = measureUntil("the drain to withdraw", () => states().join() === "down,down", 5_000, 10);
      console.log(`gate: drain file to both protocols disabled in ${drainMs} ms (interval 100 ms)`);
      expect(drainMs).toBeLessThan(2_000);

      // WHEN it is removed and the gate is stopped THEN it announced again, then withdrew on SIGTERM
      rmSync(drain);
      waitUntil("the gate to announce again", () => states().join() === "up,up", 5_000);
      gate.kill("SIGTERM");
      waitUntil("the gate to withdraw on SIGTERM", () => states().join() === "down,down", 5_000);
      // BIRD may show both withdrawn a moment before the gate has logged the second.
      waitUntil(
        "the gate to log its stop",
        () => /withdrawing 198\.18\.100\.11: the gate stops/.test(gate.log()),
        5_000,
      );
      expect(gate.log()).toMatch(/withdrawing 198\.18\.100\.11: the gate stops/);
    } finally {
      gate.kill();
    }
    expect(existsSync(drain)).toBe(false);
  });
  test("announces again within a resync after BIRD restarts (a restarted BIRD announces nothing)", () => {
    // GIVEN the gate running and both addresses announced (a node with no BGP session: nothing it
    // looks at changes when BIRD restarts, so its resync finds it)
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1], "TCP  198.18.100.11:80": [1] });
    const gate = startGate(ns, scratch, "restart", gateScript({ resyncMs: 1000, settleMs: 300 }), stub);
    try {
      waitUntil("the gate to announce both", () => states().join() === "up,up", 5_000);
      // (past the settling after its start, when it decides every round)
      runCommand("sleep", ["0.6"]);

      // WHEN BIRD is stopped and started again on the same socket
      bird.stop();
      waitUntil("BIRD to stop", () => bird.birdc("show", "status").status !== 0, 5_000);
      bird = new Bird(ns, scratch, "l4", conf);

      // THEN the gate enables both protocols again
      const backMs = measureUntil("the gate to announce again", () => states().join() === "up,up", 5_000, 10);
      console.log(`gate: BIRD restart to both protocols enabled again in ${backMs} ms (resync 1 s)`);
      // (announced twice: at the start and after the restart)
      expect(gate.log().match(/announcing 198\.18\.100\.10: /g)).toHaveLength(2);
    } finally {
      gate.kill();
    }
  });
  test("running, it decides only when what it looks at changed, at once when it did, and every resync", () => {
    // GIVEN the gate looking every 100 ms, deciding after a change for 300 ms and every 1.5 s
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1], "TCP  198.18.100.11:80": [1] });
    const gate = startGate(ns, scratch, "looks", gateScript({ resyncMs: 1500, settleMs: 300 }), stub);
    try {
      waitUntil("the gate to announce both", () => states().join() === "up,up", 5_000);
      runCommand("sleep", ["0.5"]);
      stub.takeCalls();

      // WHEN nothing changes for 3 s THEN it decided about twice (the resync), not 30 times
      runCommand("sleep", ["3"]);
      const quiet = stub.takeCalls();
      console.log(
        `gate: ${quiet} full rounds in 3 s with nothing changed (looks every 100 ms, resync 1.5 s)`,
      );
      expect(quiet, gate.log()).toBeGreaterThanOrEqual(1);
      expect(quiet).toBeLessThanOrEqual(3);

      // WHEN a real server's weight goes to 0 THEN it withdraws within a few looks
      stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [0], "TCP  198.18.100.11:80": [1] });
      const weightMs = measureUntil(
        "a weight change to withdraw .10",
        () => states().join() === "down,up",
        5_000,
        10,
      );
      console.log(`gate: a real server's weight to 0 withdrawn in ${weightMs} ms`);
      expect(weightMs).toBeLessThan(1_000);

      // WHEN an established connection to BGP's port appears THEN it decides again at once
      runCommand("sleep", ["0.5"]);
      stub.takeCalls();
      writeFileSync(tcp, TCP_HEADER + bgpLine(1));
      const sawMs = measureUntil(
        "the gate to decide after a BGP connection",
        () => stub.takeCalls() > 0,
        5_000,
        10,
      );
      expect(sawMs).toBeLessThan(1_000);
    } finally {
      gate.kill();
      writeFileSync(tcp, TCP_HEADER);
    }
  });

  test("holds announcements down until keepalived has run for the hold-down", () => {
    // GIVEN every service healthy, a gate with a 2 s hold-down, and no keepalived pid file
    stub.set({ "TCP  198.18.100.10:80": [1], "TCP  198.18.100.10:443": [1], "TCP  198.18.100.11:80": [1] });
    const pidFile = join(scratch.dir, "keepalived.pid");
    const gate = gateScript({ holdDownSeconds: 2, keepalivedPidFile: pidFile });
    gateOnce(ns, gate, stub);
    expect(states()).toEqual(["down", "down"]);

    // WHEN a process stands in for a keepalived that has just started
    const keepalived = new LabProcess(ns, "stand-in keepalived", ["sleep", "600"]);
    try {
      writeFileSync(pidFile, `${keepalived.pid}\n`);
      gateOnce(ns, gate, stub);
      const heldDown = states();

      // THEN nothing is announced before 2 s have passed, and both are announced after
      const startedAt = performance.now();
      waitUntil(
        "the hold-down to end",
        () => {
          gateOnce(ns, gate, stub);
          return states().join() === "up,up";
        },
        10_000,
        100,
      );
      const waitedMs = Math.round(performance.now() - startedAt);
      console.log(`gate: hold-down of 2 s ended after ${waitedMs} ms more`);
      expect(heldDown).toEqual(["down", "down"]);
      expect(waitedMs).toBeGreaterThan(500);
    } finally {
      keepalived.kill();
    }
  });
});

/** A stand-in `birdc`: `show protocols` prints a table from a file; `enable`/`disable` edit it. */
class BirdcStub {
  public readonly dir: string;
  private readonly table: string;

  constructor(scratch: Scratch) {
    this.dir = join(scratch.dir, "birdc-stub");
    runCommand("mkdir", ["-p", this.dir]);
    this.table = join(this.dir, "protocols");
    writeFileSync(
      join(this.dir, "birdc"),
      [
        "#!/bin/sh",
        "shift 2",
        `f=${this.table}`,
        'case "$1" in',
        '  show) echo "BIRD 2.0.12 ready."; echo "Name Proto Table State Since Info"; cat "$f" ;;',
        '  enable) sed -i "s/^$2 \\([^ ]*\\) \\([^ ]*\\) [^ ]*/$2 \\1 \\2 up/" "$f" ;;',
        '  disable) sed -i "s/^$2 \\([^ ]*\\) \\([^ ]*\\) [^ ]*/$2 \\1 \\2 down/" "$f" ;;',
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
  }

  /** The table: the service protocol's state and the BGP session's (Established or not). */
  public set(service: "up" | "down", bgpEstablished: boolean): void {
    writeFileSync(
      this.table,
      `${A} Static master4 ${service} 12:00:00\nr1 BGP --- ${bgpEstablished ? "up 12:00:00 Established" : "start 12:00:00 Active"}\n`,
    );
  }

  public service(): string | undefined {
    return /^\S+ \S+ \S+ (\S+)/.exec(readFileSync(this.table, "utf8"))?.[1];
  }
}

describe.runIf(scriptsAvailable)("the gate after the node was cut off (stub birdc and ipvsadm)", () => {
  let scratch: Scratch;
  let birdc: BirdcStub;
  let ipvs: IpvsStub;
  beforeAll(() => {
    scratch = new Scratch();
    birdc = new BirdcStub(scratch);
    ipvs = new IpvsStub(scratch, "cut-off");
    ipvs.set({ "TCP  198.18.100.10:80": [1] });
  });
  afterAll(() => scratch?.remove());

  function gate(name: string, cutOffHoldDownMs?: number): () => void {
    const script = scratch.write(
      `${name}-gate`,
      renderL4Gate({
        intervalMs: 100,
        holdDownSeconds: 2,
        ...(cutOffHoldDownMs === undefined ? {} : { cutOffHoldDownMs }),
        // No keepalived pid file check: this process's own pid stands in for an old keepalived.
        keepalivedPidFile: scratch.write(`${name}-keepalived.pid`, "1\n"),
        stateFile: join(scratch.dir, `${name}-state`),
        drainFile: join(scratch.dir, `${name}-drain`),
        virtualServers: [{ address: "198.18.100.10", port: 80 }],
      }),
      0o755,
    );
    return () => {
      runCommand("env", [`PATH=${birdc.dir}:${ipvs.path}`, "bash", script, "once"]);
    };
  }

  /**
   * A peered node announcing, then cut off (its only session down: it must withdraw although IPVS
   * still counts its L7 node up), then its session back: whether it still held the service down
   * at the return, and how long after the return it announced again.
   */
  function cutAndReturn(once: () => void, stepMs: number): { heldAfterReturn?: string; waitedMs: number } {
    birdc.set("down", true);
    once();
    expect(birdc.service()).toBe("up");
    birdc.set("up", false);
    once();
    expect(birdc.service()).toBe("down");
    birdc.set("down", true);
    once();
    const heldAfterReturn = birdc.service();
    const started = performance.now();
    waitUntil(
      "the hold-down after the return to end",
      () => {
        once();
        return birdc.service() === "up";
      },
      10_000,
      stepMs,
    );
    return { heldAfterReturn, waitedMs: Math.round(performance.now() - started) };
  }

  test("withdraws while every BGP session is down and announces again only after the hold-down", () => {
    // GIVEN a gate with a 2 s hold-down (after a start, and by default after a cut)
    // WHEN its node is cut off and its session comes back
    const { heldAfterReturn, waitedMs } = cutAndReturn(gate("cut"), 100);
    // THEN it waits out the hold-down before it announces again
    console.log(`gate: announced again ${waitedMs} ms after the BGP session returned (hold-down 2 s)`);
    expect(heldAfterReturn).toBe("down");
    expect(waitedMs).toBeGreaterThan(900);
    expect(waitedMs).toBeLessThan(4000);
  });

  test("with a shorter hold-down after a cut, announces again that much after the return, not the start's", () => {
    // GIVEN a gate whose start hold-down is 2 s and whose hold-down after a cut is 400 ms
    // WHEN its node is cut off and its session comes back
    const { heldAfterReturn, waitedMs } = cutAndReturn(gate("short", 400), 50);
    // THEN it announces again after about 400 ms
    console.log(`gate: announced again ${waitedMs} ms after the BGP session returned (hold-down 400 ms)`);
    expect(heldAfterReturn).toBe("down");
    expect(waitedMs).toBeGreaterThan(150);
    expect(waitedMs).toBeLessThan(1500);
  });

  test("a node that never had a session announces as soon as its checks allow (the start)", () => {
    const once = gate("fresh");
    birdc.set("down", false);
    once();
    expect(birdc.service()).toBe("up");
  });
});
