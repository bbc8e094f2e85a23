/**
 * The namespace helpers the daemon checks and drills stand on: unique names, an addressed eth0,
 * the 198.18.0.0/15 fence, and cleanup that also happens when a test fails.
 */
import { spawn } from "node:child_process";
import { afterEach, describe, expect, test } from "vitest";
import {
  cleanupNamespaces,
  deleteNamespace,
  listNamespaces,
  liveNamespaces,
  NetworkNamespace,
  ownTestNamespaces,
  runCommand,
  waitUntil,
  withNamespace,
} from "../support/netns";
import { tierAvailable } from "../support/tiers";

const available = tierAvailable("daemon checks: network namespaces", ["ip", "sleep"], true);

const mine = ownTestNamespaces;

describe.runIf(available)("test network namespaces", () => {
  afterEach(() => {
    cleanupNamespaces();
  });

  test("creates a namespace with eth0 up at the given address, then deletes it", () => {
    // GIVEN an address from the test range
    const address = "198.18.7.2/24";

    // WHEN a namespace is made with it
    const ns = NetworkNamespace.create({ address });
    const shown = ns.exec("ip", ["-j", "addr", "show", "dev", "eth0"]);
    ns.delete();

    // THEN it had a unique name, eth0 was up with the address, and it is gone afterwards
    expect(ns.name).toMatch(new RegExp(`^hat-${process.pid}-\\d+$`));
    const [link] = JSON.parse(shown.stdout) as Array<{
      operstate: string;
      addr_info: Array<{ local: string }>;
    }>;
    expect(link?.operstate).toBe("UP");
    expect(link?.addr_info.map((a) => a.local)).toContain("198.18.7.2");
    expect(listNamespaces()).not.toContain(ns.name);
  });

  test("gives every namespace its own name", () => {
    // GIVEN two namespaces made one after the other
    const a = NetworkNamespace.create();
    const b = NetworkNamespace.create();

    // WHEN their names are compared
    const names = [a.name, b.name];

    // THEN they differ and both are tracked until deleted
    expect(new Set(names).size).toBe(2);
    expect(liveNamespaces()).toEqual(expect.arrayContaining(names));
    expect(cleanupNamespaces()).toEqual(expect.arrayContaining(names));
    expect(mine()).toEqual([]);
  });

  test("throws from withNamespace and still deletes the namespace when the check throws", () => {
    // GIVEN a check that fails inside its namespace
    let name = "";
    const failing = () =>
      withNamespace({ address: "198.18.7.3/24" }, (ns) => {
        name = ns.name;
        throw new Error("check failed");
      });

    // WHEN it runs
    // THEN the error reaches the caller and the namespace is gone
    expect(failing).toThrow("check failed");
    expect(name).not.toBe("");
    expect(listNamespaces()).not.toContain(name);
    expect(liveNamespaces()).not.toContain(name);
  });

  test("throws when a namespace address lies outside 198.18.0.0/15", () => {
    // GIVEN an address from another range
    const address = "192.168.10.2/24";

    // WHEN a namespace is requested with it
    const create = () => NetworkNamespace.create({ address });

    // THEN no namespace is made
    expect(create).toThrow(/outside 198\.18\.0\.0\/15/);
    expect(mine()).toEqual([]);
  });

  test("kills a process left running in a namespace when the namespace is deleted", async () => {
    // GIVEN a process started in a namespace and still running
    const ns = NetworkNamespace.create();
    const child = spawn("ip", ["netns", "exec", ns.name, "sleep", "60"], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_c, s) => resolve(s)));
    const pids = () => runCommand("ip", ["netns", "pids", ns.name]).lines;
    waitUntil(`sleep to run in ${ns.name}`, () => pids().length > 0, 5_000);
    expect(child.exitCode).toBeNull();

    // WHEN the namespace is deleted
    deleteNamespace(ns.name);

    // THEN the process was killed by its PID and the namespace is gone
    const signal = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 5_000))]);
    if (signal === "timeout") child.kill("SIGKILL");
    expect(signal).toBe("SIGKILL");
    expect(listNamespaces()).not.toContain(ns.name);
  });
});
