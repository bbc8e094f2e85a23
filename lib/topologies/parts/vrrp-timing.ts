import { VrrpVersion } from "./vrrp-options";

/** What VRRP's failover time depends on. */
export interface VrrpTiming {
  readonly version: VrrpVersion;
  readonly advertIntervalMs: number;
  /** Priority of the backup that takes over. */
  readonly backupPriority: number;
  /**
   * Milliseconds a new master waits for another holder to answer an ARP probe before it adds the
   * address; 0 when keepalived adds it at once.
   * @default 0
   */
  readonly addressProbeMs?: number;
}

/** What the ARP probe adds to a takeover, in seconds (0 without it). */
export function probeSeconds(t: VrrpTiming): number {
  return (t.addressProbeMs ?? 0) / 1000;
}

/** How `probeSeconds` is derived, appended to a basis; empty without the probe. */
export function probeBasis(t: VrrpTiming): string {
  return t.addressProbeMs ? ` + ARP probe for another holder ${t.addressProbeMs} ms` : "";
}

/**
 * The backup's skew time: (256 − priority)/256 of an advert with VRRPv3 (RFC 5798), of a second
 * with VRRPv2 (RFC 3768).
 */
export function skewSeconds(t: VrrpTiming): number {
  const unit = t.version === VrrpVersion.V3 ? t.advertIntervalMs / 1000 : 1;
  return ((256 - t.backupPriority) * unit) / 256;
}

/** The master-down interval: 3 adverts plus the skew, after which a backup takes over. */
export function masterDownSeconds(t: VrrpTiming): number {
  return (3 * t.advertIntervalMs) / 1000 + skewSeconds(t);
}

/** How `masterDownSeconds` is derived, with the configured values. */
export function masterDownBasis(t: VrrpTiming): string {
  const unit = t.version === VrrpVersion.V3 ? `${t.advertIntervalMs} ms` : "1 s";
  return `VRRPv${t.version} master-down interval: 3 × advert ${t.advertIntervalMs} ms + skew (256 − ${t.backupPriority}) / 256 × ${unit}`;
}

/** Rounds a figure to milliseconds for reports. */
export function roundSeconds(x: number): number {
  return Number(x.toFixed(3));
}
