/**
 * Deploys the Docker resources of a stack to an engine as `terraform apply` with the kreuzwerker
 * provider would: networks with their IPAM, named volumes, then the containers in waves after
 * their `depends_on` (side by side within a wave, as Terraform creates them), each created,
 * attached to its further networks, its uploads put in by the archive endpoint (a
 * `random_password`'s value generated once per deployment), started, and checked to be running
 * when `must_run`. The result is the handle an
 * engine-backed drill lab works through: the containers, their addresses, start, stop, kill,
 * exec and health. Teardown removes by name, so it also clears what a failed run left.
 */

import { spawnSync } from "node:child_process";
import { registerCleanup } from "../core/cleanup-registry";
import { containerCreateBody, laterAttachments, uploadEntries } from "./container-request";
import type { ContainerResource } from "./container-resource";
import { demultiplex, type EngineClient, type ExecResult } from "./engine-client";
import { EngineError } from "./engine-error";
import { creationWaves, type EngineStack } from "./engine-stack";
import { networkCreateBody } from "./network-resource";
import { generatePasswords, volumeCreateBody } from "./storage-resources";
import { tarArchive } from "./tar";

/** How many containers are created at once at most (Terraform's default `-parallelism`). */
const PARALLELISM = 10;

/**
 * Upper bound of one step of a container's creation (create, connect, upload, start): seconds
 * on a real machine, but a minute and more for several containers at once on an emulated CPU.
 */
const STEP_TIMEOUT_MS = 300_000;

/** Label put on everything the lab creates: the stack's name. */
export const LAB_LABEL = "io.cdktf-ha.lab";

/** A container as deployed. */
export interface DeployedContainer {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly hostname?: string;
  readonly constructPath?: string;
  /** Address on each attached network, by network key. */
  readonly addresses: Readonly<Record<string, string>>;
}

/** A network as deployed. */
export interface DeployedNetwork {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  /** The Linux bridge behind it, in the daemon's namespace. */
  readonly bridge: string;
}

/** Docker's view of a container's health: its healthcheck status, or `none` without one. */
export type HealthStatus = "starting" | "healthy" | "unhealthy" | "none";

interface ContainerInspect {
  Id: string;
  State: { Status: string; Running: boolean; ExitCode: number; Health?: { Status: HealthStatus } };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

/**
 * Removes containers, networks and volumes by name, and every container carrying the lab's
 * label for `stackName`; quiet for what is already gone.
 */
export async function teardownNames(
  client: EngineClient,
  stackName: string,
  containers: readonly string[],
  networks: readonly string[],
  volumes: readonly string[] = [],
): Promise<void> {
  const labelled = await client.json<{ Names: string[] }[]>("GET", "/containers/json", {
    query: { all: 1, filters: JSON.stringify({ label: [`${LAB_LABEL}=${stackName}`] }) },
  });
  const names = new Set([
    ...containers,
    ...labelled.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ""))),
  ]);
  for (const name of names) {
    await client.call(
      "DELETE",
      `/containers/${encodeURIComponent(name)}`,
      { query: { force: 1, v: 1 } },
      [404],
    );
  }
  for (const name of networks) {
    await client.call("DELETE", `/networks/${encodeURIComponent(name)}`, {}, [404]);
  }
  for (const name of volumes) {
    await client.call("DELETE", `/volumes/${encodeURIComponent(name)}`, {}, [404]);
  }
}

// The same removal from a child process, for exit and signal handlers, which cannot wait for
// asynchronous requests: force-removes the containers, then the networks, by name.
const TEARDOWN_SCRIPT = `
const http = require("node:http");
const [socketPath, containers, networks, volumes] = process.argv.slice(1).map((a) => JSON.parse(a));
const del = (path) => new Promise((done) => {
  const req = http.request({ socketPath, method: "DELETE", path: "/v1.41" + path }, (res) => { res.resume(); res.on("end", done); });
  req.on("error", done);
  req.end();
});
(async () => {
  for (const c of containers) await del("/containers/" + encodeURIComponent(c) + "?force=1&v=1");
  for (const n of networks) await del("/networks/" + encodeURIComponent(n));
  for (const v of volumes) await del("/volumes/" + encodeURIComponent(v));
})();
`;

/** Removes containers, networks and volumes by name, synchronously (bounded by `timeoutMs`). */
export function teardownNamesSync(
  socketPath: string,
  containers: readonly string[],
  networks: readonly string[],
  timeoutMs = 30_000,
  volumes: readonly string[] = [],
): void {
  spawnSync(
    process.execPath,
    [
      "-e",
      TEARDOWN_SCRIPT,
      JSON.stringify(socketPath),
      JSON.stringify(containers),
      JSON.stringify(networks),
      JSON.stringify(volumes),
    ],
    { stdio: "ignore", timeout: timeoutMs, killSignal: "SIGKILL" },
  );
}

/** Removes the stack's containers and networks by name (and by the lab's label). */
export function teardownByName(client: EngineClient, stack: EngineStack): Promise<void> {
  return teardownNames(
    client,
    stack.name,
    stack.containers.map((c) => c.name),
    stack.networks.map((n) => n.name),
    stack.volumes.map((v) => v.name),
  );
}

/** A stack deployed to an engine. */
export class EngineDeployment {
  /** Deploys `stack`; `imageName` gives the image of a stack-built `docker_image` key. */
  public static async deploy(
    client: EngineClient,
    stack: EngineStack,
    imageName: (imageKey: string) => string,
  ): Promise<EngineDeployment> {
    await teardownByName(client, stack);
    const labels = { [LAB_LABEL]: stack.name };
    const deployment = new EngineDeployment(client, stack);
    deployment.unregister = registerCleanup(`containers of ${stack.name}`, () =>
      teardownNamesSync(
        client.socketPath,
        stack.containers.map((c) => c.name),
        stack.networks.map((n) => n.name),
        undefined,
        stack.volumes.map((v) => v.name),
      ),
    );
    try {
      for (const n of stack.networks) {
        const created = await client.json<{ Id: string }>("POST", "/networks/create", {
          json: networkCreateBody(n, labels),
        });
        const bridge = n.options["com.docker.network.bridge.name"] ?? `br-${created.Id.slice(0, 12)}`;
        deployment.networkList.push({ key: n.key, name: n.name, id: created.Id, bridge });
      }
      for (const v of stack.volumes) {
        await client.json("POST", "/volumes/create", { json: volumeCreateBody(v, labels) });
      }
      // Side by side where nothing orders them, at most 10 at a time, as Terraform creates
      // them (so a container that waits to be healthy does not hold up the others).
      for (const wave of creationWaves(stack.containers)) {
        for (let i = 0; i < wave.length; i += PARALLELISM) {
          await deployment.createAll(wave.slice(i, i + PARALLELISM), imageName, labels);
        }
      }
    } catch (e) {
      await deployment.destroy().catch(() => undefined);
      throw e;
    }
    return deployment;
  }

  private unregister: () => void = () => undefined;
  private readonly networkList: DeployedNetwork[] = [];
  private readonly containerList: DeployedContainer[] = [];
  /** The value of each `random_password`, drawn once per deployment as the first apply would. */
  private readonly passwords: ReadonlyMap<string, string>;

  private constructor(
    readonly client: EngineClient,
    readonly stack: EngineStack,
  ) {
    this.passwords = generatePasswords(stack.passwords);
  }

  private volumeName = (key: string): string => {
    const v = this.stack.volumes.find((x) => x.key === key);
    if (!v) throw new EngineError(`volume ${key} is not in the stack`);
    return v.name;
  };

  private networkName = (key: string): string => {
    const n = this.stack.networks.find((x) => x.key === key);
    if (!n) throw new EngineError(`network ${key} is not in the stack`);
    return n.name;
  };

  /** Creates and starts `containers` side by side; throws for the first that failed, after all ended. */
  private async createAll(
    containers: readonly ContainerResource[],
    imageName: (imageKey: string) => string,
    labels: Record<string, string>,
  ): Promise<void> {
    const settled = await Promise.allSettled(
      containers.map((c) =>
        this.createAndStart(c, "imageKey" in c.image ? imageName(c.image.imageKey) : c.image.name, labels),
      ),
    );
    for (const r of settled) if (r.status === "fulfilled") this.containerList.push(r.value);
    const failed = settled.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const c = containers[failed] as ContainerResource;
      const why = (settled[failed] as PromiseRejectedResult).reason as Error;
      throw new EngineError(`docker_container.${c.key} (${c.name}): ${why.message}`);
    }
  }

  private async createAndStart(
    c: ContainerResource,
    image: string,
    labels: Record<string, string>,
  ): Promise<DeployedContainer> {
    const where = `docker_container.${c.key}`;
    const body = containerCreateBody(c, image, this.networkName, labels, this.volumeName);
    const created = await this.client.json<{ Id: string }>("POST", "/containers/create", {
      query: { name: c.name },
      json: body,
      timeoutMs: STEP_TIMEOUT_MS,
    });
    for (const later of laterAttachments(c, this.networkName)) {
      await this.client.call("POST", `/networks/${encodeURIComponent(later.network)}/connect`, {
        json: later.body,
        timeoutMs: STEP_TIMEOUT_MS,
      });
    }
    if (c.uploads.length) {
      await this.client.call("PUT", `/containers/${created.Id}/archive`, {
        query: { path: "/" },
        body: tarArchive(uploadEntries(c, this.passwords)),
        timeoutMs: STEP_TIMEOUT_MS,
      });
    }
    await this.client.call("POST", `/containers/${created.Id}/start`, { timeoutMs: STEP_TIMEOUT_MS });
    const state = await this.inspect(created.Id);
    if (c.mustRun && !state.State.Running) {
      throw new EngineError(
        `${where} (${c.name}) is not running after start: ${state.State.Status}, exit code ${state.State.ExitCode}`,
      );
    }
    if (c.wait) await this.waitContainerHealthy(created.Id, c.waitTimeoutSeconds * 1000, where);
    const addresses: Record<string, string> = {};
    for (const a of c.networks) {
      const address = state.NetworkSettings.Networks[this.networkName(a.networkKey)]?.IPAddress;
      if (address) addresses[a.networkKey] = address;
    }
    return {
      key: c.key,
      name: c.name,
      id: created.Id,
      ...(c.hostname !== undefined ? { hostname: c.hostname } : {}),
      ...(c.constructPath !== undefined ? { constructPath: c.constructPath } : {}),
      addresses,
    };
  }

  /** `wait = true`: creation ends when the container is healthy, as the provider waits. */
  private async waitContainerHealthy(id: string, timeoutMs: number, where: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.inspect(id);
      const status = s.State.Health?.Status;
      if (status === undefined)
        throw new EngineError(`${where}: wait = true, but the container has no healthcheck`);
      if (status === "healthy") return;
      if (!s.State.Running || Date.now() >= deadline) {
        // The container's own last lines say why; a failed read leaves them out.
        const raw = await this.client
          .call("GET", `/containers/${id}/logs`, { query: { stdout: 1, stderr: 1, tail: 30 } })
          .then((r) => demultiplex(r.body))
          .catch(() => undefined);
        const tail = raw ? `\n${`${raw.stdout}${raw.stderr}`.trimEnd()}` : "";
        throw new EngineError(
          `${where}: not healthy within ${timeoutMs / 1000} s (${status}, ${s.State.Status})${tail}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The containers, in creation order. */
  public get containers(): readonly DeployedContainer[] {
    return this.containerList;
  }

  /** The networks. */
  public get networks(): readonly DeployedNetwork[] {
    return this.networkList;
  }

  /** The container with this name, resource key, hostname or id. */
  public container(which: string): DeployedContainer {
    const c = this.containerList.find(
      (x) => x.name === which || x.key === which || x.hostname === which || x.id === which,
    );
    if (!c) throw new EngineError(`no container ${which} in ${this.stack.name}`);
    return c;
  }

  /** The engine's inspection of a container (by id or name). */
  public inspect(idOrName: string): Promise<ContainerInspect> {
    return this.client.json<ContainerInspect>("GET", `/containers/${encodeURIComponent(idOrName)}/json`);
  }

  /** Docker's health status of a container. */
  public async health(which: string): Promise<HealthStatus> {
    const s = await this.inspect(this.container(which).id);
    return s.State.Health?.Status ?? "none";
  }

  /** Waits until every container with a healthcheck is healthy and all are running. */
  public async waitHealthy(timeoutMs: number): Promise<Record<string, HealthStatus>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status: Record<string, HealthStatus> = {};
      let ready = true;
      for (const c of this.containerList) {
        const s = await this.inspect(c.id);
        status[c.name] = s.State.Health?.Status ?? "none";
        if (!s.State.Running || status[c.name] === "starting" || status[c.name] === "unhealthy")
          ready = false;
      }
      if (ready) return status;
      if (Date.now() >= deadline) {
        throw new EngineError(`containers not healthy within ${timeoutMs} ms: ${JSON.stringify(status)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Sends `signal` to a container's main process (`docker kill`). */
  public async kill(which: string, signal = "SIGKILL"): Promise<void> {
    await this.client.call("POST", `/containers/${this.container(which).id}/kill`, { query: { signal } });
  }

  /** Stops a container (`docker stop`), waiting at most `timeoutSeconds` before SIGKILL. */
  public async stop(which: string, timeoutSeconds?: number): Promise<void> {
    await this.client.call(
      "POST",
      `/containers/${this.container(which).id}/stop`,
      { query: { t: timeoutSeconds }, timeoutMs: 120_000 },
      [304],
    );
  }

  /** Starts a stopped container. */
  public async start(which: string): Promise<void> {
    await this.client.call("POST", `/containers/${this.container(which).id}/start`, {}, [304]);
  }

  /** Restarts a container (`docker restart`), stopping it for at most `timeoutSeconds`. */
  public async restart(which: string, timeoutSeconds?: number): Promise<void> {
    await this.client.call("POST", `/containers/${this.container(which).id}/restart`, {
      query: { t: timeoutSeconds },
      timeoutMs: 120_000,
    });
  }

  /** What a container printed (its main process's stdout and stderr), at most `tail` lines each. */
  public async logs(which: string, tail = 200): Promise<{ stdout: string; stderr: string }> {
    const raw = await this.client.call("GET", `/containers/${this.container(which).id}/logs`, {
      query: { stdout: 1, stderr: 1, tail },
    });
    return demultiplex(raw.body);
  }

  /** Runs a command in a running container. */
  public exec(which: string, argv: readonly string[], timeoutMs?: number): Promise<ExecResult> {
    return this.client.exec(this.container(which).id, argv, timeoutMs);
  }

  /** Removes the stack's containers and networks (by name). */
  public async destroy(): Promise<void> {
    await teardownByName(this.client, this.stack);
    this.unregister();
  }

  /** Leaves the containers running past this process (a detached lab, torn down later). */
  public release(): void {
    this.unregister();
  }
}
