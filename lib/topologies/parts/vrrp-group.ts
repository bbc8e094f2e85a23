import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertCommand, assertIntegerInRange } from "../../model/config-text";
import { Capability, type HostFile, type HostProcess } from "../../model/host-spec";
import { Spread } from "../../model/placement";
import { FloatingAddressMode } from "../../platforms/floating-address";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { type ITrafficPeer, Traffic, TrafficSource } from "../../platforms/traffic";
import {
  type KeepalivedInstance,
  type KeepalivedTrackFile,
  type KeepalivedTrackScript,
  renderKeepalivedConf,
} from "../../render/keepalived";
import { KEEPALIVED_NOTIFY_PATH, renderKeepalivedNotifyScript } from "../../render/keepalived-notify";
import { claimPath, renderVipClaim } from "../../render/vip-claim";
import { moverPath } from "../../render/vip-mover";
import { FloatingAddress, type FloatingAddressOptions } from "./floating-address";
import { defaultPriorities, instanceName, type VrrpOptions, VrrpVersion } from "./vrrp-options";
import type { VrrpTiming } from "./vrrp-timing";

export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

/**
 * The loopback address keepalived holds for an instance whose claim script adds the real address
 * (127.254.<virtual router id>.1: outside 127.0.0.0/16, so no clash with the usual loopback names).
 */
export function claimMarker(virtualRouterId: number): string {
  return `127.254.${virtualRouterId}.1`;
}

/** One node of the group as its keepalived config sees it. */
export interface VrrpNode {
  readonly index: number;
  readonly routerId: string;
  /** The node's address on the group's segment. */
  readonly address: string;
  /** The node's interface on the group's segment. */
  readonly interfaceName: string;
}

/**
 * A group of nodes that share floating addresses through keepalived (VRRP): validation of the
 * VRRP options, priorities, one VRRP instance per address, the keepalived config of each node,
 * and the adverts' traffic. Topologies compose it with what the nodes serve (e.g. HAProxy).
 */
export class VrrpGroup {
  public readonly version: VrrpVersion;
  public readonly advertIntervalMs: number;
  public readonly priorities: readonly number[];
  public readonly preempt: boolean;
  public readonly preemptDelaySeconds: number;
  public readonly unicast: boolean;
  /** ARP probe time before a new master adds an address moved by gratuitous ARP; 0: none. */
  public readonly addressProbeMs: number;
  private readonly addressList: FloatingAddress[] = [];
  private readonly nodes: IHost[] = [];

  constructor(
    private readonly where: Construct,
    public readonly platform: IPlatform,
    public readonly segment: ISegment,
    public readonly nodeCount: number,
    private readonly options: VrrpOptions,
  ) {
    this.version = options.vrrpVersion ?? VrrpVersion.V3;
    if (this.version !== VrrpVersion.V2 && this.version !== VrrpVersion.V3) {
      invalid(where, "vrrpVersion", options.vrrpVersion, "use VrrpVersion.V2 or VrrpVersion.V3");
    }
    this.advertIntervalMs = options.advertIntervalMs ?? (this.version === VrrpVersion.V2 ? 1000 : 100);
    this.validateAdvert();
    this.priorities = this.validatePriorities();
    this.preempt = options.preempt ?? true;
    this.preemptDelaySeconds = assertIntegerInRange(
      where,
      "preemptDelaySeconds",
      options.preemptDelaySeconds ?? 10,
      0,
      1000,
    );
    if (options.unicast === false && !platform.traits.multicast) {
      invalid(
        where,
        "unicast",
        false,
        `the ${platform.platformName} platform carries no multicast: leave unicast unset or true`,
      );
    }
    this.unicast = options.unicast ?? !platform.traits.multicast;
    this.addressProbeMs = assertIntegerInRange(
      where,
      "addressProbeMs",
      options.addressProbeMs ?? 50,
      0,
      1000,
    );
    for (const [state, command] of Object.entries(options.notify ?? {})) {
      if (command !== undefined) assertCommand(where, `notify.${state}`, command);
    }
  }

  /**
   * Adds a floating address with its own VRRP instance under `scope`/`id`. By default the
   * addresses are spread over the nodes in turn.
   */
  public addAddress(
    scope: Construct,
    id: string,
    options: FloatingAddressOptions,
    mode: FloatingAddressMode,
  ): FloatingAddress {
    if (this.options.addressProbeMs && mode !== FloatingAddressMode.GRATUITOUS_ARP) {
      invalid(
        this.where,
        "addressProbeMs",
        this.options.addressProbeMs,
        `an ARP probe tells nothing where the platform moves the address (${mode}): leave it unset or 0`,
      );
    }
    const address = new FloatingAddress(
      scope,
      id,
      this,
      options,
      this.addressList.length % this.nodeCount,
      mode,
    );
    this.addressList.push(address);
    if (this.nodes.length > 0) this.attachAddress(address, this.nodes);
    return address;
  }

  public get addresses(): readonly FloatingAddress[] {
    return [...this.addressList];
  }

  /** Where the nodes go: all in one failure domain when an address is bound to one subnet. */
  public get spread(): Spread {
    return this.addressList.some((a) => a.binding.singleFailureDomain) ? Spread.together() : Spread.even();
  }

  /** Tells the platform's address bindings which hosts are the nodes, once they exist. */
  public attach(nodes: readonly IHost[]): void {
    this.nodes.push(...nodes);
    for (const address of this.addressList) this.attachAddress(address, nodes);
  }

  /** Binds one address to the nodes and records its VRRP instance for the analysis. */
  private attachAddress(address: FloatingAddress, nodes: readonly IHost[]): void {
    address.binding.attach(nodes);
    this.platform.availability.addVrrpInstance({
      segment: this.segment.segmentId,
      virtualRouterId: address.virtualRouterId,
      owner: address.node.path,
      instance: instanceName(address.virtualRouterId),
      members: nodes.map((n) => n.node.path),
    });
  }

  /** Debian packages every node needs for keepalived, the address bindings and the ARP probe. */
  public get packages(): string[] {
    return [
      "keepalived",
      "iproute2",
      ...(this.addressList.some((a) => this.probes(a)) ? ["iputils-arping"] : []),
      ...this.addressList.flatMap((a) => a.binding.nodePackages),
    ];
  }

  /** Whether a new master probes for another holder of `address` before adding it. */
  public probes(address: FloatingAddress): boolean {
    return this.addressProbeMs > 0 && address.mode === FloatingAddressMode.GRATUITOUS_ARP;
  }

  /** Capabilities keepalived needs: add addresses, send VRRP and gratuitous ARP. */
  public get capabilities(): Capability[] {
    return [Capability.NET_ADMIN, Capability.NET_RAW];
  }

  /** The keepalived config of `node`, rendered at synthesis (addresses added later count). */
  public configFile(
    node: () => VrrpNode,
    trackScripts: readonly KeepalivedTrackScript[],
    trackFiles: readonly KeepalivedTrackFile[] = [],
  ): HostFile {
    return { path: KEEPALIVED_CONF, content: () => this.keepalivedConf(node(), trackScripts, trackFiles) };
  }

  /**
   * The other files `node` needs: the notify script, the address bindings' files and the claim
   * scripts of the addresses it adds after an ARP probe.
   */
  public supportFiles(node: () => VrrpNode): HostFile[] {
    return [
      { path: KEEPALIVED_NOTIFY_PATH, content: renderKeepalivedNotifyScript(), executable: true },
      ...this.addressList.flatMap((a) => a.binding.nodeFiles),
      ...this.addressList
        .filter((a) => this.probes(a))
        .map((a) => ({
          path: claimPath(instanceName(a.virtualRouterId)),
          content: () => {
            const device = node().interfaceName;
            return renderVipClaim({
              instance: instanceName(a.virtualRouterId),
              device,
              addresses: a.binding.interfaceAddresses(device).map((v) => `${v.address}/${v.prefixLength}`),
              probeMs: this.addressProbeMs,
              retryMs: this.advertIntervalMs,
            });
          },
          executable: true,
        })),
    ];
  }

  /** keepalived in the foreground, VRRP only, logging to the console. */
  public get process(): HostProcess {
    return {
      name: "keepalived",
      command: [
        "/usr/sbin/keepalived",
        "--dont-fork",
        "--log-console",
        "--log-detail",
        "--vrrp",
        `--use-file=${KEEPALIVED_CONF}`,
        "--pid=/run/ha/keepalived-main.pid",
        "--vrrp_pid=/run/ha/keepalived-vrrp.pid",
      ],
    };
  }

  /** Lets the nodes (`peer`) exchange VRRP adverts. */
  public allowAdverts(peer: ITrafficPeer): void {
    this.platform.allowTraffic(this.where, {
      toGroup: peer.trafficGroup,
      traffic: Traffic.vrrp(),
      from: TrafficSource.group(peer),
      description: "VRRP adverts between the nodes",
    });
  }

  /** The figures failover times follow from. */
  public get timing(): VrrpTiming {
    const sorted = [...this.priorities].sort((a, b) => b - a);
    return {
      version: this.version,
      advertIntervalMs: this.advertIntervalMs,
      backupPriority: sorted[1] as number,
      addressProbeMs: this.addressList.some((a) => this.probes(a)) ? this.addressProbeMs : 0,
    };
  }

  /** keepalived.conf of one node; every instance tracks every script and file. */
  public keepalivedConf(
    node: VrrpNode,
    trackScripts: readonly KeepalivedTrackScript[],
    trackFiles: readonly KeepalivedTrackFile[] = [],
  ): string {
    const peers = this.nodes.filter((_, i) => i !== node.index).map((n) => this.addressOn(n));
    const sorted = [...this.priorities].sort((a, b) => b - a);
    const instances: KeepalivedInstance[] = this.addressList.map((vip) => {
      // The preferred node gets the top priority, the others follow in ring order.
      const rank = (node.index - vip.preferredNode + this.nodeCount) % this.nodeCount;
      const instance = instanceName(vip.virtualRouterId);
      return {
        name: instance,
        // Every node starts as BACKUP: the highest priority wins the first election after one
        // master-down interval, and a restarted node honours preempt_delay (keepalived ignores it
        // on an instance that starts as MASTER).
        initialState: "BACKUP",
        interface: node.interfaceName,
        virtualRouterId: vip.virtualRouterId,
        priority: sorted[rank] as number,
        advertIntervalMs: this.advertIntervalMs,
        noPreempt: !this.preempt,
        preemptDelaySeconds: this.preemptDelaySeconds,
        // Where a new master probes for another holder first, its claim script adds the address;
        // VRRPv3 adverts need one address, so a loopback marker nothing uses stands in for it.
        virtualAddresses: this.probes(vip)
          ? [{ address: claimMarker(vip.virtualRouterId), prefixLength: 32, device: "lo" }]
          : vip.binding.interfaceAddresses(node.interfaceName),
        ...(this.unicast ? { unicast: { sourceIp: node.address, peers } } : {}),
        trackScripts: trackScripts.map((s) => s.name),
        trackFiles: trackFiles.map((f) => f.name),
        notify: {
          ...this.options.notify,
          generic: [KEEPALIVED_NOTIFY_PATH],
          ...(vip.binding.hasMover
            ? { masterRxLowerPriority: [moverPath(instance), "rx-lower-priority"] }
            : this.probes(vip)
              ? { masterRxLowerPriority: [claimPath(instance), "announce"] }
              : {}),
        },
        garp: { masterDelaySeconds: 1, masterRepeat: 3, masterRefreshSeconds: 60 },
      };
    });
    return renderKeepalivedConf({
      routerId: node.routerId,
      vrrpVersion: this.version,
      trackScripts,
      trackFiles,
      instances,
    });
  }

  /** A node's address on the group's segment. */
  private addressOn(host: IHost): string {
    const attachment = host.spec.attachments.find((a) => a.segmentId === this.segment.segmentId);
    return attachment ? attachment.lease.address : host.address;
  }

  private validateAdvert(): void {
    const ms = this.advertIntervalMs;
    if (this.version === VrrpVersion.V2) {
      if (!Number.isInteger(ms) || ms % 1000 !== 0 || ms < 1000 || ms > 255_000) {
        invalid(
          this.where,
          "advertIntervalMs",
          ms,
          "VRRPv2 adverts are whole seconds: use 1000 to 255000 in steps of 1000, or VrrpVersion.V3 for sub-second intervals",
        );
      }
    } else if (!Number.isInteger(ms) || ms % 10 !== 0 || ms < 10 || ms > 40_950) {
      invalid(
        this.where,
        "advertIntervalMs",
        ms,
        "VRRPv3 adverts are in centiseconds: use 10 to 40950 in steps of 10",
      );
    }
  }

  private validatePriorities(): number[] {
    const given = this.options.priorities;
    const priorities = given ? [...given] : defaultPriorities(this.nodeCount);
    if (priorities.length !== this.nodeCount) {
      invalid(this.where, "priorities", given, `give exactly one priority per node (${this.nodeCount})`);
    }
    for (const prio of priorities) assertIntegerInRange(this.where, "priority", prio, 1, 254);
    if (new Set(priorities).size !== priorities.length) {
      invalid(
        this.where,
        "priorities",
        given,
        "use different priorities: equal priorities make the election depend on addresses",
      );
    }
    return priorities;
  }
}
