import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { labAvailable, tinyLab } from "../lab-fixture";

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
