/** A `docker_network` resource, read strictly, and the Engine API body that creates it. */
import { intToIpv4, isIpv4, networkContains, parseIpv4Cidr } from "../../model/ipam";
import { EngineError } from "./engine-error";
import {
  blocks,
  isObject,
  onlyKnown,
  optionalBoolean,
  optionalString,
  requiredString,
  stringMap,
} from "./json-fields";

/** One `ipam_config` block. */
export interface IpamPool {
  readonly subnet: string;
  readonly gateway?: string;
  /** Range dynamic addresses come from (`ip_range`). */
  readonly ipRange?: string;
  /** Addresses the IPAM must never hand out (`aux_address`: name to address). */
  readonly auxAddresses: Readonly<Record<string, string>>;
}

/** One `docker_network`. */
export interface NetworkResource {
  readonly key: string;
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly ipam: readonly IpamPool[];
}

const NETWORK_ATTRIBUTES = [
  "//",
  "provider",
  "depends_on",
  "name",
  "driver",
  "ipam_config",
  "internal",
  "attachable",
  "options",
  "labels",
  "check_duplicate",
];
const IPAM_ATTRIBUTES = ["subnet", "gateway", "ip_range", "aux_address"];

function addressIn(subnetCidr: string, address: string, what: string, where: string): string {
  const net = parseIpv4Cidr(where, "ipam_config.subnet", subnetCidr, 1, 32);
  if (!isIpv4(address) || !networkContains(net, address)) {
    throw new EngineError(
      `${where}: ${what} ${JSON.stringify(address)} is not an address inside ${subnetCidr}`,
    );
  }
  return address;
}

function parseIpam(raw: Record<string, unknown>, where: string): IpamPool {
  onlyKnown(raw, IPAM_ATTRIBUTES, where);
  const subnet = requiredString(raw.subnet, `${where}.subnet`);
  const gateway = optionalString(raw.gateway, `${where}.gateway`);
  const ipRange = optionalString(raw.ip_range, `${where}.ip_range`);
  const aux = stringMap(raw.aux_address, `${where}.aux_address`);
  if (gateway !== undefined) addressIn(subnet, gateway, "gateway", where);
  if (ipRange !== undefined) {
    const range = parseIpv4Cidr(where, "ip_range", ipRange, 1, 32);
    addressIn(subnet, intToIpv4(range.network), "ip_range", where);
  }
  for (const [name, address] of Object.entries(aux)) addressIn(subnet, address, `aux_address ${name}`, where);
  return {
    subnet,
    ...(gateway !== undefined ? { gateway } : {}),
    ...(ipRange !== undefined ? { ipRange } : {}),
    auxAddresses: aux,
  };
}

/** Reads one `docker_network`. */
export function parseNetwork(key: string, raw: unknown): NetworkResource {
  const where = `docker_network.${key}`;
  if (!isObject(raw)) throw new EngineError(`${where} is not an object`);
  onlyKnown(raw, NETWORK_ATTRIBUTES, where);
  const driver = optionalString(raw.driver, `${where}.driver`) ?? "bridge";
  if (driver !== "bridge") {
    throw new EngineError(
      `${where}: driver ${JSON.stringify(driver)}: the lab's engine runs bridge networks only`,
    );
  }
  const labels = isObject(raw.labels)
    ? stringMap(raw.labels, `${where}.labels`)
    : labelList(raw.labels, where);
  return {
    key,
    name: requiredString(raw.name, `${where}.name`),
    driver,
    internal: optionalBoolean(raw.internal, `${where}.internal`) ?? false,
    attachable: optionalBoolean(raw.attachable, `${where}.attachable`) ?? false,
    options: stringMap(raw.options, `${where}.options`),
    labels,
    ipam: blocks(raw.ipam_config, `${where}.ipam_config`).map((b, i) =>
      parseIpam(b, `${where}.ipam_config[${i}]`),
    ),
  };
}

/** Terraform's `labels { label = ..., value = ... }` blocks as a map. */
export function labelList(value: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, b] of blocks(value, `${where}.labels`).entries()) {
    onlyKnown(b, ["label", "value"], `${where}.labels[${i}]`);
    out[requiredString(b.label, `${where}.labels[${i}].label`)] =
      optionalString(b.value, `${where}.labels[${i}].value`) ?? "";
  }
  return out;
}

/** The body of `POST /networks/create` for `network`, with `extraLabels` added. */
export function networkCreateBody(network: NetworkResource, extraLabels: Readonly<Record<string, string>>) {
  return {
    Name: network.name,
    CheckDuplicate: true,
    Driver: network.driver,
    Internal: network.internal,
    Attachable: network.attachable,
    Options: network.options,
    Labels: { ...network.labels, ...extraLabels },
    IPAM: {
      Driver: "default",
      Config: network.ipam.map((p) => ({
        Subnet: p.subnet,
        ...(p.gateway !== undefined ? { Gateway: p.gateway } : {}),
        ...(p.ipRange !== undefined ? { IPRange: p.ipRange } : {}),
        ...(Object.keys(p.auxAddresses).length ? { AuxiliaryAddresses: p.auxAddresses } : {}),
      })),
    },
  };
}
