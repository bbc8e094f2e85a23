/**
 * A tiny stack for lab, client and fault tests: networks front (198.18.10.0/24) and back
 * (198.18.11.0/24); `alpha` on both with DNS settings, `beta` on front, both running the lab's
 * stand-in HTTP server on 8080; `gamma` on back running a shell that keeps a sleeper with a pidfile.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DrillClient, ProbeRecord } from "../../lib/drill/clients/client";
import { HTTP_CLIENT } from "../../lib/drill/clients/http";
import type { Lab } from "../../lib/drill/core/lab";
import { NamespaceLab } from "../../lib/drill/core/namespace-lab";
import { sleep } from "../../lib/drill/core/proc";
import { parseDockerStack } from "../../lib/drill/core/stack";
import { waitUntil } from "../../lib/drill/core/wait";
import { tierAvailable } from "../support/tiers";

export const labAvailable = (): boolean =>
  tierAvailable("drills", ["ip", "nft", "unshare", "nsenter", "setpriv", "python3"], true);

export const TINY_STACK = {
  resource: {
    docker_network: {
      front: { name: "front", ipam_config: [{ subnet: "198.18.10.0/24", gateway: "198.18.10.1" }] },
      back: { name: "back", ipam_config: [{ subnet: "198.18.11.0/24", gateway: "198.18.11.1" }] },
    },
    docker_container: {
      alpha: {
        name: "alpha",
        hostname: "alpha",
        networks_advanced: [
          { name: "${docker_network.front.name}", ipv4_address: "198.18.10.2" },
          { name: "${docker_network.back.name}", ipv4_address: "198.18.11.2" },
        ],
        dns: ["198.18.11.53"],
        dns_search: ["lab.test"],
        dns_opts: ["ndots:2"],
      },
      beta: {
        name: "beta",
        hostname: "beta",
        networks_advanced: [{ name: "front", ipv4_address: "198.18.10.3" }],
      },
      gamma: {
        name: "gamma",
        hostname: "gamma",
        command: ["/bin/sh", "-c", "sleep 600 & echo $! > /run/sleeper.pid; while :; do sleep 1; done"],
        networks_advanced: [{ name: "back", ipv4_address: "198.18.11.4" }],
      },
    },
  },
};

/** Waits (bounded) until something listens on TCP `port` inside `hostname`. */
export async function listening(lab: Lab, hostname: string, port: number): Promise<boolean> {
  const check = async () =>
    (await lab.exec(hostname, ["ss", "-ltnH", `sport = :${port}`], { allowFailure: true })).stdout.includes(
      `:${port}`,
    );
  return (await waitUntil(check, 5000, 50)) !== undefined;
}

/** The tiny stack in a fresh namespace lab, every host started and both stand-ins listening. */
export async function tinyLab(): Promise<NamespaceLab> {
  const stack = parseDockerStack(TINY_STACK, "tiny");
  const lab = await NamespaceLab.create(stack, {
    // Not ha-drill's own work directory name, so that the drill tests' leak checks, which may
    // run at the same time, do not take this lab's client for one of theirs.
    workDir: fs.mkdtempSync(path.join(os.tmpdir(), "ha-lab-test-")),
    standInPorts: new Map([
      ["alpha", 8080],
      ["beta", 8080],
    ]),
  });
  try {
    for (const h of lab.hostnames()) await lab.startHost(h);
    for (const h of ["alpha", "beta"]) {
      if (!(await listening(lab, h, 8080))) throw new Error(`the stand-in on ${h} does not listen on 8080`);
    }
  } catch (e) {
    await lab.teardown();
    throw e;
  }
  return lab;
}

/** An HTTP client on front probing `address`:8080 every 20 ms, 300 ms limit each. */
export function probe(lab: Lab, address: string): Promise<DrillClient> {
  return HTTP_CLIENT.start(lab, lab.clientOn("front").place, {
    address,
    port: 8080,
    intervalMs: 20,
    timeoutMs: 300,
    maxSeconds: 60,
  });
}

/** Waits (bounded) until `n` probes started after `sinceMs` have ended; returns those. */
export async function probesAfter(client: DrillClient, sinceMs: number, n = 10): Promise<ProbeRecord[]> {
  const after = () => client.records.filter((r) => r.startMs >= sinceMs);
  await waitUntil(() => after().length >= n, 10_000, 20);
  await sleep(0);
  return after().slice(0, n);
}

/** Outcomes of records, counted. */
export function outcomes(records: readonly ProbeRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

/** Waits (bounded) until a probe started after `sinceMs` succeeds; whether one did. */
export async function answeredAfter(
  client: DrillClient,
  sinceMs: number,
  timeoutMs = 5000,
): Promise<boolean> {
  const ok = () => client.records.some((r) => r.startMs >= sinceMs && r.outcome === "ok");
  return (await waitUntil(ok, timeoutMs, 20)) !== undefined;
}
