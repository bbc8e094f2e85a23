/**
 * The script that puts a three-tier service's addresses on a local interface of a host, then
 * stays (the host's supervisor restarts what exits): on an L4 node on loopback, where IPVS takes
 * their packets in; on an L7 node on the interface the L4 method delivers them to (`tunl0` for
 * IP-in-IP, brought up first; `lo` for direct return).
 */
import { invalid } from "../errors";
import { assertServiceAddress } from "../model/bgp";
import { generatedHeader, lines } from "./text";

export interface ServiceAddressScript {
  /** The /32s, as dotted quads. */
  readonly addresses: readonly string[];
  readonly interfaceName: "lo" | "tunl0";
  /** A comment line on why the addresses go there. */
  readonly why: string;
}

const WHERE = "service address script";

/** Renders the script (POSIX sh). Pure: the same input always gives the same text. */
export function renderServiceAddressScript(options: ServiceAddressScript): string {
  const addresses = options.addresses.map((a) => assertServiceAddress(WHERE, "service address", a));
  if (options.interfaceName !== "lo" && options.interfaceName !== "tunl0") {
    invalid(WHERE, "interface", options.interfaceName, 'use "lo" or "tunl0"');
  }
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    `# ${options.why.replace(/[\r\n]/g, " ")}`,
    "set -eu",
    options.interfaceName === "tunl0" ? ["ip link set tunl0 up"] : [],
    addresses.map((a) => `ip -4 addr replace ${a}/32 dev ${options.interfaceName}`),
    "exec sleep infinity",
  );
}
