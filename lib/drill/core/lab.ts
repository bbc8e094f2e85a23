/**
 * The lab: a synthesized Docker stack brought up somewhere a drill can break it. Scenarios and
 * faults speak only to this interface, so the same drill can run on Linux network namespaces
 * (`NamespaceLab`, today), on a real Docker engine or inside a virtual machine with a full kernel.
 *
 * Hosts are the stack's containers, named by host name. Every lab also offers one client place
 * per network: somewhere outside the hosts, on that network, from which a drill client sends its
 * requests. `spawn` runs a long-lived helper (a client, an address monitor) in a host's or a
 * client's network; `exec` runs a short command inside a host, as `docker exec` would.
 */
import type { ChildProcess } from "node:child_process";
import type { PathReading } from "./path-meter";
import type { RunOptions, RunResult } from "./proc";
import type { DrillContainer, DrillStack } from "./stack";
import type { CpuStall } from "./stall-meter";

/** One network interface of a host. */
export interface LabInterface {
  /** Interface name inside the host (eth0, eth1, ... in attachment order). */
  readonly name: string;
  /** Key of the network it is attached to. */
  readonly network: string;
  readonly address: string;
  readonly prefixLength: number;
}

/** A place on one network from which a drill client sends requests. */
export interface LabClientPlace {
  /** Name to pass to `spawn`. */
  readonly place: string;
  readonly network: string;
  readonly address: string;
}

/** What a lab must know beyond the stack. */
export interface LabOptions {
  /** Port a stand-in server listens on, per container key, for containers without a command. */
  readonly standInPorts?: ReadonlyMap<string, number>;
  /** Addresses clients must not take (virtual addresses that float between hosts). */
  readonly reservedAddresses?: readonly string[];
  /** Directory for logs and staged files. @default - a new directory under the OS temp dir */
  readonly workDir?: string;
  /** Keep the work directory (logs) after teardown. @default false */
  readonly keepWorkDir?: boolean;
  /**
   * Hosts whose daemons need what only a full kernel has (IPVS, ipip), as the topology's drill
   * names them: a split lab (`ha-drill --vm-hosts`) runs these in a VM and the rest here; other
   * labs run them where they run everything.
   */
  readonly fullKernelHosts?: readonly string[];
}

/** The stalls of an emulated CPU (see `stall-meter.ts`), and of this machine's, on the drill's clock. */
export interface CpuStallReport {
  /** A gap counts when it is this much later than the meter's period. */
  readonly thresholdMs: number;
  /** In the VM (its half of the lab's process). */
  readonly stalls: readonly CpuStall[];
  /** Here, in the drill's process, at the niceness of the hosts that run here. */
  readonly hostStalls: readonly CpuStall[];
}

export interface Lab {
  readonly stack: DrillStack;
  /** Hosts this lab runs on an emulated CPU (a split lab's VM hosts); none when absent. */
  readonly emulatedCpuHosts?: readonly string[];
  /** When the emulated CPU left a ready thread waiting, since the lab started; absent: no such CPU. */
  cpuStalls?(): Promise<CpuStallReport>;
  /** When the emulated hosts answered an echo from here late, since the lab started; absent: no such hosts. */
  pathStalls?(): PathReading;
  /** Where logs and the drill's own scripts live on this machine. */
  readonly workDir: string;
  /** Host names of the stack's containers, in the stack's order. */
  hostnames(): readonly string[];
  container(hostname: string): DrillContainer;
  /** true when the lab runs a stand-in server for a container without a command. */
  isStandIn(hostname: string): boolean;

  /** Starts a host's command. A host that ran before starts fresh, as a restarted container. */
  startHost(hostname: string): Promise<void>;
  /** Asks a host's processes to end (SIGTERM to its PID 1), then kills what is left after `graceMs`. */
  stopHost(hostname: string, graceMs?: number): Promise<void>;
  /** Kills every process of a host at once (SIGKILL). */
  killHost(hostname: string): Promise<void>;
  isRunning(hostname: string): boolean;

  /** Runs a short command inside a running host (its network, mounts and processes). */
  exec(hostname: string, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** A file inside a running host; undefined when it is missing. */
  readFile(hostname: string, file: string): Promise<string | undefined>;
  writeFile(hostname: string, file: string, content: string): Promise<void>;
  /** SIGKILLs the process with PID `pid` inside the host and all its descendants; how many died. */
  killProcessTree(hostname: string, pid: number): Promise<number>;

  /** The host's interfaces, in attachment order. */
  interfaces(hostname: string): readonly LabInterface[];
  /** IPv4 addresses on a host's interface now (all but loopback's when none is named). */
  addresses(hostname: string, iface?: string): Promise<string[]>;
  setLink(hostname: string, iface: string, up: boolean): Promise<void>;
  /** Loads an nftables ruleset (`nft -f`) in a host's network. */
  applyNft(hostname: string, ruleset: string): Promise<void>;
  /** Deletes an nftables table a ruleset created. */
  removeNft(hostname: string, family: string, table: string): Promise<void>;

  /** The client place on a network. */
  clientOn(network: string): LabClientPlace;
  /** Starts a long-lived helper in a host's or client place's network, tracked until teardown. */
  spawn(place: string, argv: readonly string[], label: string): ChildProcess;

  /** The last lines of a host's output. */
  logTail(hostname: string, lines?: number): string;
  /** Stops everything and removes everything the lab made; what could not be removed. */
  teardown(): Promise<string[]>;
}

/** Makes a lab for a stack (the runner's default is `NamespaceLab.create`). */
export type LabFactory = (stack: DrillStack, options: LabOptions) => Promise<Lab>;
