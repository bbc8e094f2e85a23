import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { afterEach, describe, expect, test } from "vitest";
import { DockerPlatform } from "../../../lib";
import { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { waitUntil } from "../../../lib/drill/core/wait";
import { synthJson } from "../../../lib/testing";
import { storageHostSpec } from "../../support/storage-spec";
import { labAvailable, TINY_STACK, tinyLab } from "../lab-fixture";

function namespaces(prefix: string): string[] {
  const out = spawnSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 10_000 }).stdout ?? "";
  return out
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(`${prefix}-`));
}

describe.runIf(labAvailable())("NamespaceLab on a stack of two networks", () => {
  let lab: NamespaceLab | undefined;
  afterEach(async () => {
    await lab?.teardown();
    lab = undefined;
  });

  test("gives a container on two networks eth0 and eth1 with its addresses, in Docker's order", async () => {
    // GIVEN the tiny stack up (alpha on front and back)
    lab = await tinyLab();

    // WHEN alpha's interfaces are asked for, and looked at from inside alpha
    const inside = await lab.exec("alpha", ["ip", "-o", "-4", "addr", "show"]);

    // THEN eth0 carries front's address and eth1 back's, as the lab says
    expect(lab.interfaces("alpha")).toEqual([
      { name: "eth0", network: "front", address: "198.18.10.2", prefixLength: 24 },
      { name: "eth1", network: "back", address: "198.18.11.2", prefixLength: 24 },
    ]);
    expect(inside.stdout).toMatch(/eth0\s+inet 198\.18\.10\.2\/24/);
    expect(inside.stdout).toMatch(/eth1\s+inet 198\.18\.11\.2\/24/);
    expect(await lab.addresses("alpha", "eth1")).toEqual(["198.18.11.2"]);
    // AND alpha reaches gamma over back, its second network (gamma refuses: nothing listens on 9)
    const connect = "import socket; socket.create_connection(('198.18.11.4', 9), 2)";
    const reach = await lab.exec("alpha", ["/usr/bin/python3", "-c", connect], { allowFailure: true });
    expect(reach.stderr).toContain("ConnectionRefusedError");
  });

  test("writes resolv.conf from the container's dns settings, and /etc/hosts of its networks", async () => {
    // GIVEN the tiny stack up
    lab = await tinyLab();

    // WHEN alpha's and beta's name files are read from inside
    const resolv = await lab.readFile("alpha", "/etc/resolv.conf");
    const betaResolv = await lab.readFile("beta", "/etc/resolv.conf");
    const hosts = await lab.readFile("alpha", "/etc/hosts");

    // THEN alpha has its dns, search and options; beta, without dns, loopback
    expect(resolv).toContain("nameserver 198.18.11.53\nsearch lab.test\noptions ndots:2\n");
    expect(betaResolv).toContain("nameserver 127.0.0.1\n");
    // AND alpha's hosts name beta on front and gamma on back
    expect(hosts).toContain("198.18.10.3\tbeta\n");
    expect(hosts).toContain("198.18.11.4\tgamma\n");
  });

  test("stops, kills and restarts a host, the restart in a fresh network", async () => {
    // GIVEN the tiny stack up, with an extra address on beta's eth0
    lab = await tinyLab();
    await lab.exec("beta", ["ip", "addr", "add", "198.18.10.99/24", "dev", "eth0"]);

    // WHEN beta is stopped, started again, then killed
    await lab.stopHost("beta", 1000);
    const stopped = lab.isRunning("beta");
    await lab.startHost("beta");
    const addresses = await lab.addresses("beta");
    const running = lab.isRunning("beta");
    await lab.killHost("beta");

    // THEN it was down, came back without the extra address, and is down again
    expect(stopped).toBe(false);
    expect(running).toBe(true);
    expect(addresses).toEqual(["198.18.10.3"]);
    expect(lab.isRunning("beta")).toBe(false);
  });

  test("teardown removes every namespace and the work directory", async () => {
    // GIVEN the tiny stack up
    const made = await tinyLab();
    const before = namespaces(made.prefix);

    // WHEN it is torn down
    const problems = await made.teardown();

    // THEN 2 bridges, 3 hosts and 2 clients existed, and nothing is left
    expect(before).toHaveLength(7);
    expect(problems).toEqual([]);
    expect(namespaces(made.prefix)).toEqual([]);
    expect(fs.existsSync(made.workDir)).toBe(false);
  });
});

/** A Docker stack on 198.18.20.0/24: host db-0 with an owned volume and two files of one secret. */
function storageStack() {
  const stack = new TerraformStack(Testing.app(), "storage");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.20.0/24" });
  const secret = platform.addSecret(platform, "Pw", { length: 28 });
  platform.addHost(
    platform,
    "Db0",
    storageHostSpec(platform, 0, {
      volumes: [{ name: "data", mountPath: "/srv/ha-lab-test-data", owner: "nobody" }],
      secretFiles: [
        { path: "/etc/ha-lab-test/pw", secret, owner: "nobody" },
        { path: "/etc/ha-lab-test/pw-copy", secret, mode: "0440" },
      ],
    }),
  );
  return parseDockerStack(synthJson(stack), "storage");
}

describe.runIf(labAvailable())("NamespaceLab holding part of a stack (a split lab's half)", () => {
  let lab: NamespaceLab | undefined;
  afterEach(async () => {
    await lab?.teardown();
    lab = undefined;
  });

  test("makes no namespace for a remote host, refuses to run it, and still knows it", async () => {
    // GIVEN the tiny stack with beta run elsewhere, no client places and bridges without gateways
    lab = await NamespaceLab.create(parseDockerStack(TINY_STACK, "tiny"), {
      workDir: fs.mkdtempSync(path.join(os.tmpdir(), "ha-lab-test-")),
      standInPorts: new Map([
        ["alpha", 8080],
        ["beta", 8080],
      ]),
      remoteHosts: ["beta"],
      clients: false,
      bridgeGateways: false,
    });

    // WHEN its namespaces and its front bridge are looked at
    const made = namespaces(lab.prefix);
    const bridge = spawnSync("ip", ["-n", lab.bridgeNamespace("front"), "-o", "-4", "addr", "show", "br0"], {
      encoding: "utf8",
      timeout: 10_000,
    });

    // THEN beta has none and no client place exists, front's bridge carries no address, and beta
    // is known but cannot be run here
    expect(made.some((n) => n.endsWith("-beta"))).toBe(false);
    expect(made.some((n) => n.endsWith("-alpha"))).toBe(true);
    expect(made.some((n) => n.includes("-client"))).toBe(false);
    expect(bridge.status).toBe(0);
    expect(bridge.stdout).not.toContain("inet ");
    expect(lab.container("beta").hostname).toBe("beta");
    expect(lab.interfaces("beta")[0]?.address).toBe("198.18.10.3");
    await expect(lab.startHost("beta")).rejects.toThrow(/beta runs in another part of the lab/);
    expect(() => lab?.clientOn("front")).toThrow(/no network front/);
  });
});

describe.runIf(labAvailable())("NamespaceLab with volumes and secret files", () => {
  let lab: NamespaceLab | undefined;
  afterEach(async () => {
    await lab?.teardown();
    lab = undefined;
  });

  test("gives a container its secret file with mode and owner, and a volume that outlives a restart", async () => {
    // GIVEN the stack's host started in a lab
    lab = await NamespaceLab.create(storageStack(), {
      workDir: fs.mkdtempSync(path.join(os.tmpdir(), "ha-lab-test-")),
    });
    await lab.startHost("db-0");
    // The preparation script sets owners, then execs the supervisor, which writes its pidfile.
    const prepared = async () => (await lab?.readFile("db-0", "/run/ha/db.pid")) !== undefined;
    expect(await waitUntil(prepared, 5000, 50), lab.logTail("db-0")).toBeDefined();
    const stat = async (file: string) =>
      (await lab?.exec("db-0", ["stat", "-c", "%a %U", file]))?.stdout.trim();

    // WHEN its files are read from inside, and a file is written to its volume before a restart
    const pw = await lab.readFile("db-0", "/etc/ha-lab-test/pw");
    const copy = await lab.readFile("db-0", "/etc/ha-lab-test/pw-copy");
    const modes = [await stat("/etc/ha-lab-test/pw"), await stat("/etc/ha-lab-test/pw-copy")];
    const volumeOwner = await stat("/srv/ha-lab-test-data");
    await lab.exec("db-0", ["sh", "-c", "echo kept > /srv/ha-lab-test-data/row"]);
    await lab.stopHost("db-0", 1000);
    await lab.startHost("db-0");
    expect(await waitUntil(prepared, 5000, 50), lab.logTail("db-0")).toBeDefined();
    const kept = await lab.exec("db-0", ["cat", "/srv/ha-lab-test-data/row"]);

    // THEN both files hold the one generated value, of letters and digits, with their modes
    expect(pw).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(copy).toBe(pw);
    expect(modes).toEqual(["400 nobody", "440 root"]);
    // AND the volume belongs to its owner and kept the row, in the lab's work directory only
    expect(volumeOwner).toBe("755 nobody");
    expect(kept.stdout).toBe("kept\n");
    expect(fs.existsSync("/srv/ha-lab-test-data")).toBe(false);
    expect(fs.existsSync("/etc/ha-lab-test")).toBe(false);
  });
});

describe.runIf(labAvailable())("NamespaceLab in a process stopped by a signal", () => {
  test("SIGTERM in the middle of a run removes the lab's namespaces and processes, then ends the process by the signal", async () => {
    // GIVEN a process with the tiny lab up and its hosts running (a test worker mid-drill)
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "fixtures", "lab-then-wait.ts")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const ended = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on("exit", (code, signal) => resolve(signal ?? code)),
    );
    try {
      const ready = await waitUntil(() => /ready (\S+)/.test(out), 60_000, 50);
      expect(ready, err).toBeDefined();
      const prefix = /ready (\S+)/.exec(out)?.[1] as string;
      expect(namespaces(prefix).length).toBeGreaterThan(0);

      // WHEN it is sent SIGTERM (no exit handler runs for a signal's default action)
      child.kill("SIGTERM");
      const how = await ended;

      // THEN its namespaces are gone and it ended by SIGTERM
      expect(namespaces(prefix)).toEqual([]);
      expect(how).toBe("SIGTERM");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }, 120_000);
});
