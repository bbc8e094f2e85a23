/**
 * A synthesized Docker stack running on a real Docker engine of the lab's own: images built
 * (only when their context changed) by a daemon in the host's namespace, which reaches Debian's
 * archive, then moved to a daemon in a namespace without a route out, which runs the stack.
 * Both data roots live in the cache folder (git-ignored `.cache/engine/`), so a warm run builds
 * nothing. Everything is torn down by `down()`, also after a failure, by name and by PID.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { intToIpv4, ipv4ToInt, parseIpv4Cidr } from "../../model/ipam";
import { registerCleanup } from "../core/cleanup-registry";
import { releaseLock, takeLock, waitForLock } from "./cache-lock";
import { EngineClient } from "./engine-client";
import { EngineDaemon, type EngineDaemonRecord, stopDaemonSync } from "./engine-daemon";
import { EngineDeployment, teardownNames } from "./engine-deployment";
import { EngineError } from "./engine-error";
import { checkSubnetsWithin, type EngineStack, readEngineStack } from "./engine-stack";
import { isAlive } from "./host-commands";
import { attachClientNamespace, type LabNamespace } from "./namespaces";
import { scaleHealthchecks } from "./scaled-healthchecks";
import { type ImageTimings, loadImageArchive, provideImages } from "./stack-images";

/** Addresses the lab deploys unless told otherwise (RFC 2544 benchmarking range). */
export const LAB_RANGE = "198.18.0.0/15";

/** Options of `EngineLab.up`. */
export interface EngineLabOptions {
  /** @default - `defaultCacheDir()` */
  readonly cacheDir?: string;
  /** How long to wait for another lab on the same cache folder to end. @default 600_000 */
  readonly lockWaitMs?: number;
  /** Deploy stacks outside 198.18.0.0/15 too. @default false */
  readonly allowAnyAddresses?: boolean;
  /** Leave the daemon running when this process ends (`ha-lab up`). @default false */
  readonly detached?: boolean;
  /** Progress lines. @default - silent */
  readonly log?: (line: string) => void;
  /**
   * Take the stack's images from this archive (made by `saveImageArchive`) instead of building
   * them: for an engine that reaches no package archive, such as one inside a VM.
   * @default - built by a daemon in the host's namespace and moved across
   */
  readonly imageArchive?: string;
  /**
   * Run Docker's healthchecks (interval, timeout, start period) and creation's `wait_timeout`
   * this many times slower than the stack says: for an emulated CPU, where each check's exec
   * costs seconds. The daemons' own timers are unchanged. @default 1
   */
  readonly healthcheckScale?: number;
  /** How long the daemon may take to answer after its start. @default 30_000 */
  readonly daemonStartTimeoutMs?: number;
}

/** How long each phase of `up` took, in seconds, and how each image was found. */
export interface LabTimings extends ImageTimings {
  daemon?: number;
  deploy?: number;
}

/** What `ha-lab down` needs to tear a detached lab down from another process. */
export interface LabRecord {
  readonly stackPath: string;
  readonly stackName: string;
  readonly cacheDir: string;
  readonly daemon: EngineDaemonRecord;
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  /** Named volumes (absent in records written before volumes were deployed). */
  readonly volumes?: readonly string[];
}

/**
 * The cache folder: `$HA_ENGINE_CACHE`, else `$XDG_CACHE_HOME/cdktf-ha-topologies/engine`, else
 * `~/.cache/cdktf-ha-topologies/engine`. Outside the checkout, so that the base image is made
 * once per machine (not per clone) and no tool walking the sources wanders into image layers.
 */
export function defaultCacheDir(): string {
  if (process.env.HA_ENGINE_CACHE) return resolve(process.env.HA_ENGINE_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "cdktf-ha-topologies", "engine");
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

/** Path of the record of the detached lab of `cacheDir`. */
export function labRecordPath(cacheDir: string): string {
  return join(cacheDir, "lab.json");
}

/** A stack deployed on the lab's engine. */
export class EngineLab {
  /** Deploys the stack of `stackPath` (a `cdk.tf.json`). */
  public static async up(stackPath: string, options: EngineLabOptions = {}): Promise<EngineLab> {
    const log = options.log ?? (() => undefined);
    const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
    const stack = scaleHealthchecks(readEngineStack(stackPath), options.healthcheckScale ?? 1);
    if (!options.allowAnyAddresses) checkSubnetsWithin(stack, LAB_RANGE);
    await waitForLock(cacheDir, options.lockWaitMs ?? 600_000, log);
    const unregisterLock = registerCleanup(`lock of ${cacheDir}`, () => releaseLock(cacheDir));
    const timings: LabTimings = { images: {} };
    let run: EngineDaemon | undefined;
    try {
      let t = Date.now();
      run = await EngineDaemon.start({
        dataRoot: join(cacheDir, "run-root"),
        runDir: `/tmp/hae-r${process.pid}`,
        isolated: true,
        ...(options.detached ? { detached: true } : {}),
        ...(options.daemonStartTimeoutMs !== undefined
          ? { startTimeoutMs: options.daemonStartTimeoutMs }
          : {}),
      });
      timings.daemon = since(t);
      log(`engine: dockerd ${run.record.pid} in namespace ${run.namespace} (${timings.daemon} s)`);
      if (options.imageArchive) await loadImageArchive(stack, run.client, options.imageArchive, timings, log);
      else await provideImages(stack, run.client, cacheDir, timings, log);
      t = Date.now();
      const deployment = await EngineDeployment.deploy(run.client, stack, (key) => {
        const image = stack.images.find((i) => i.key === key);
        if (!image) throw new EngineError(`docker_image.${key} is not in the stack`);
        return image.name;
      });
      timings.deploy = since(t);
      log(
        `engine: deployed ${stack.containers.length} containers on ${stack.networks.length} network(s) (${timings.deploy} s)`,
      );
      const lab = new EngineLab(
        stack,
        resolve(stackPath),
        cacheDir,
        run,
        deployment,
        timings,
        unregisterLock,
      );
      if (options.detached) {
        takeLock(cacheDir, run.record.pid);
        writeFileSync(labRecordPath(cacheDir), `${JSON.stringify(lab.record, null, 2)}\n`);
        deployment.release();
        run.release();
        unregisterLock();
      }
      return lab;
    } catch (e) {
      run?.stopSync();
      releaseLock(cacheDir);
      unregisterLock();
      throw e;
    }
  }

  private readonly clients: LabNamespace[] = [];

  private constructor(
    readonly stack: EngineStack,
    readonly stackPath: string,
    readonly cacheDir: string,
    readonly daemon: EngineDaemon,
    readonly deployment: EngineDeployment,
    readonly timings: LabTimings,
    private readonly unregisterLock: () => void = () => undefined,
  ) {}

  /** What a later `ha-lab down` needs. */
  public get record(): LabRecord {
    return {
      stackPath: this.stackPath,
      stackName: this.stack.name,
      cacheDir: this.cacheDir,
      daemon: this.daemon.record,
      containers: this.stack.containers.map((c) => c.name),
      networks: this.stack.networks.map((n) => n.name),
      volumes: this.stack.volumes.map((v) => v.name),
    };
  }

  /**
   * A namespace attached to the network `networkKey` (the first when omitted) as one more host,
   * at the highest address no container, gateway or reserved address uses.
   */
  public attachClient(networkKey?: string): { namespace: LabNamespace; address: string } {
    const net = networkKey
      ? this.deployment.networks.find((n) => n.key === networkKey)
      : this.deployment.networks[0];
    const spec = this.stack.networks.find((n) => n.key === net?.key);
    const pool = spec?.ipam[0];
    if (!net || !spec || !pool || !this.daemon.namespace)
      throw new EngineError(`no network ${networkKey ?? ""} to attach a client to`);
    const subnet = parseIpv4Cidr(`docker_network.${spec.key}`, "subnet", pool.subnet, 1, 30);
    const used = new Set<number>([
      ...(pool.gateway ? [ipv4ToInt(pool.gateway)] : [subnet.network + 1]),
      ...Object.values(pool.auxAddresses).map(ipv4ToInt),
      ...this.deployment.containers.flatMap((c) => Object.values(c.addresses).map(ipv4ToInt)),
    ]);
    let v = subnet.broadcast - 1;
    while (v > subnet.network && used.has(v)) v--;
    if (v <= subnet.network) throw new EngineError(`no free address on ${pool.subnet} for a client`);
    const address = intToIpv4(v);
    const namespace = attachClientNamespace({
      bridgeNamespace: this.daemon.namespace,
      bridge: net.bridge,
      address: `${address}/${subnet.prefixLength}`,
    });
    this.clients.push(namespace);
    return { namespace, address };
  }

  /** Removes the containers and networks, stops the daemon and deletes the namespaces. */
  public async down(): Promise<void> {
    const errors: string[] = [];
    for (const c of this.clients.splice(0)) {
      try {
        c.delete();
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    try {
      await this.deployment.destroy();
    } catch (e) {
      errors.push((e as Error).message);
    }
    try {
      await this.daemon.stop();
    } catch (e) {
      errors.push((e as Error).message);
    }
    releaseLock(this.cacheDir);
    this.unregisterLock();
    if (errors.length) throw new EngineError(`engine lab teardown: ${errors.join("; ")}`);
  }
}

/**
 * Tears down the detached lab recorded in `cacheDir` (by `ha-lab up`): its containers and
 * networks by name, then its daemon by PID. Returns the record, or undefined when none is up.
 */
export async function downRecordedLab(cacheDir = defaultCacheDir()): Promise<LabRecord | undefined> {
  const path = labRecordPath(cacheDir);
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, "utf8")) as LabRecord;
  const errors: string[] = [];
  if (isAlive(record.daemon.pid)) {
    try {
      await teardownNames(
        new EngineClient(record.daemon.socketPath),
        record.stackName,
        record.containers,
        record.networks,
        record.volumes ?? [],
      );
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  stopDaemonSync(record.daemon);
  rmSync(path, { force: true });
  releaseLock(cacheDir);
  if (errors.length) throw new EngineError(`engine lab teardown: ${errors.join("; ")}`);
  return record;
}

/** The record of the detached lab of `cacheDir`, when one is up. */
export function recordedLab(cacheDir = defaultCacheDir()): LabRecord | undefined {
  const path = labRecordPath(cacheDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as LabRecord) : undefined;
}
