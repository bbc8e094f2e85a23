/**
 * The AWS VIP pair variants the daemon checks cover, and the files each one deploys.
 *
 * Every variant is built with the public constructs on an AwsPlatform whose VPC is
 * 198.18.0.0/16, so every host address, and every VIP the tests put in a namespace, lies in
 * 198.18.0.0/15. The files come from the synthesized instances' cloud-init `user_data`, after
 * Terraform's template rendering is emulated (`renderTerraformTemplate`): references such as
 * `${aws_eip.x.public_ip}` get realistic stand-ins, `$${` becomes `${` and `%%{` becomes `%{`.
 * The checks therefore see what cloud-init would write on the instances after `cdktf deploy`.
 */
import { gunzipSync } from "node:zlib";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import {
  AwsPlatform,
  type AwsPlatformProps,
  BackendPool,
  type BackendPoolProps,
  FloatingAddressMode,
  HealthCheck,
  VipPair,
  type VipPairProps,
  VrrpVersion,
} from "../../lib";
import { resourcesOfType, synthJson } from "../../lib/testing";
import type { DeployedHost } from "./vip-pair-variants";

/** Range of every variant's VPC; inside 198.18.0.0/15, so namespaces may use its addresses. */
export const VPC_CIDR = "198.18.0.0/16";
/** Route-table VIPs: outside the VPC, inside 198.18.0.0/15. */
export const ROUTED_VIP = "198.19.0.10";
export const EXTRA_ROUTED_VIP = "198.19.0.11";
/** A secondary-private-IP VIP chosen by the user, in the first zone's subnet (198.18.0.0/20). */
export const SECONDARY_VIP = "198.18.0.200";
/** The route tables of the existing-network variant. */
export const EXISTING_ROUTE_TABLES = ["rtb-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60002"] as const;

export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
export const NOTIFY_SCRIPT = "/etc/keepalived/ha-notify.sh";

/** The existing network of the route-table variant with two route tables. */
export const EXISTING_NETWORK: NonNullable<AwsPlatformProps["existingNetwork"]> = {
  vpcId: "vpc-0a1b2c3d4e5f60000",
  vpcCidr: VPC_CIDR,
  subnets: [
    { subnetId: "subnet-0a1b2c3d4e5f6000a", availabilityZone: "eu-west-1a", cidr: "198.18.1.0/24" },
    { subnetId: "subnet-0a1b2c3d4e5f6000b", availabilityZone: "eu-west-1b", cidr: "198.18.2.0/24" },
  ],
  routeTableIds: [...EXISTING_ROUTE_TABLES],
};

/** One AWS VIP pair configuration to check. */
export interface AwsVariant {
  readonly name: string;
  readonly mode: FloatingAddressMode;
  readonly virtualIp?: string;
  readonly platform?: Omit<AwsPlatformProps, "vpcCidr">;
  readonly pool?: BackendPoolProps;
  readonly pair?: Omit<VipPairProps, "virtualIp" | "backends" | "addressMode">;
  /** Changes after construction (e.g. `addVirtualIp`). */
  readonly after?: (pair: VipPair) => void;
}

export const ROUTE_TABLE: AwsVariant = {
  name: "ROUTE_TABLE, 2 nodes, created VPC",
  mode: FloatingAddressMode.ROUTE_TABLE,
  virtualIp: ROUTED_VIP,
};
export const ROUTE_TABLE_EXISTING: AwsVariant = {
  name: "ROUTE_TABLE, existing VPC with two route tables",
  mode: FloatingAddressMode.ROUTE_TABLE,
  virtualIp: ROUTED_VIP,
  platform: { existingNetwork: EXISTING_NETWORK },
};
export const SECONDARY_AUTO: AwsVariant = {
  name: "SECONDARY_PRIVATE_IP, VIP chosen by the platform",
  mode: FloatingAddressMode.SECONDARY_PRIVATE_IP,
};
export const SECONDARY_FIXED: AwsVariant = {
  name: `SECONDARY_PRIVATE_IP, VIP ${SECONDARY_VIP}`,
  mode: FloatingAddressMode.SECONDARY_PRIVATE_IP,
  virtualIp: SECONDARY_VIP,
};
export const ELASTIC_IP: AwsVariant = { name: "ELASTIC_IP, 2 nodes", mode: FloatingAddressMode.ELASTIC_IP };

export const ROUTE_TABLE_TWO_VIPS: AwsVariant = {
  name: "ROUTE_TABLE, 3 nodes, second VIP (addVirtualIp)",
  mode: FloatingAddressMode.ROUTE_TABLE,
  virtualIp: ROUTED_VIP,
  pair: { nodeCount: 3 },
  after: (pair) => pair.addVirtualIp("Extra", { address: EXTRA_ROUTED_VIP }),
};
export const ELASTIC_IP_TWO_VIPS: AwsVariant = {
  name: "ELASTIC_IP, 3 nodes, second Elastic IP (addVirtualIp)",
  mode: FloatingAddressMode.ELASTIC_IP,
  pair: { nodeCount: 3 },
  after: (pair) => pair.addVirtualIp("Extra", {}),
};

/** Every variant the AWS daemon checks run over. */
export const AWS_VARIANTS: readonly AwsVariant[] = [
  ROUTE_TABLE,
  ROUTE_TABLE_TWO_VIPS,
  ROUTE_TABLE_EXISTING,
  {
    name: "ROUTE_TABLE, VRRPv2, advert 1 s, nopreempt, TCP check",
    mode: FloatingAddressMode.ROUTE_TABLE,
    virtualIp: ROUTED_VIP,
    pool: { healthCheck: HealthCheck.tcp() },
    pair: { vrrpVersion: VrrpVersion.V2, advertIntervalMs: 1000, preempt: false },
  },
  SECONDARY_AUTO,
  SECONDARY_FIXED,
  {
    name: `SECONDARY_PRIVATE_IP, VIP ${SECONDARY_VIP}, 3 nodes, second VIP chosen by the platform`,
    mode: FloatingAddressMode.SECONDARY_PRIVATE_IP,
    virtualIp: SECONDARY_VIP,
    pair: { nodeCount: 3 },
    after: (pair) => pair.addVirtualIp("Extra", {}),
  },
  ELASTIC_IP,
  ELASTIC_IP_TWO_VIPS,
];

/**
 * Deploy-time values Terraform fills into `user_data`, one stand-in per resource attribute,
 * stable within one stack: the same resource gets the same value on every host.
 */
export class StandIns {
  /** Every reference rendered so far, e.g. "aws_eip.x.public_ip" → "198.19.255.10". */
  public readonly values = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  /** The stand-in of a Terraform reference; throws for one the tests do not know. */
  public resolve(reference: string): string {
    const known = this.values.get(reference);
    if (known !== undefined) return known;
    const m = /^(aws_[a-z0-9_]+)\.([A-Za-z0-9_]+)\.([a-z_]+)$/.exec(reference);
    const key = m ? `${m[1]}.${m[3]}` : reference;
    const n = (this.counters.get(key) ?? 0) + 1;
    const hex = n.toString(16).padStart(4, "0");
    let value: string;
    switch (key) {
      case "aws_route_table.id":
        value = `rtb-0d15ea5e0000${hex}`;
        break;
      case "aws_eip.allocation_id":
        value = `eipalloc-0d15ea5e0000${hex}`;
        break;
      case "aws_eip.public_ip":
        // Public in real life; from 198.18.0.0/15 here, so that a namespace may carry it.
        value = `198.19.255.${9 + n}`;
        break;
      default:
        throw new Error(`no stand-in for the Terraform reference \${${reference}}`);
    }
    this.counters.set(key, n);
    this.values.set(reference, value);
    return value;
  }

  /** The stand-in given to the one reference matching `pattern`; throws unless exactly one matches. */
  public only(pattern: RegExp): string {
    const hits = [...this.values].filter(([ref]) => pattern.test(ref));
    if (hits.length !== 1) {
      throw new Error(`expected one reference matching ${pattern}, found ${hits.map(([r]) => r).join(", ")}`);
    }
    return (hits[0] as [string, string])[1];
  }
}

/**
 * Terraform's rendering of a string attribute, for the subset generated files use: `${REF}`
 * becomes the reference's stand-in, `$${` a literal `${`, `%%{` a literal `%{`. A template
 * directive (`%{...}`) or a reference without a stand-in throws: Terraform would interpret it,
 * so a generated file must not contain one.
 */
export function renderTerraformTemplate(text: string, standIns: StandIns): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      out += `${text[i]}{`;
      i += 3;
    } else if (text.startsWith("${", i)) {
      const end = text.indexOf("}", i);
      if (end < 0) throw new Error(`unterminated interpolation at ${JSON.stringify(text.slice(i, i + 40))}`);
      out += standIns.resolve(text.slice(i + 2, end));
      i = end + 1;
    } else if (text.startsWith("%{", i)) {
      throw new Error(`template directive at ${JSON.stringify(text.slice(i, i + 40))}`);
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** One synthesized instance with the files cloud-init writes on it. */
export interface AwsDeployedHost extends DeployedHost {
  /** The instance's user_data as synthesized (before Terraform's rendering). */
  readonly userData: string;
}

/** A synthesized AWS variant. */
export interface AwsDeployment {
  readonly hosts: AwsDeployedHost[];
  readonly standIns: StandIns;
}

/** Builds the variant on an AwsPlatform with VPC 198.18.0.0/16 in eu-west-1 and synthesizes it. */
export function deployAwsVariant(variant: AwsVariant): AwsDeployment {
  const stack = new TerraformStack(Testing.app(), "daemon-check");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const platform = new AwsPlatform(stack, "cloud", { vpcCidr: VPC_CIDR, ...variant.platform });
  const web = new BackendPool(platform, "web", {
    replicas: 3,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
    ...variant.pool,
  });
  const pair = new VipPair(platform, "edge", {
    backends: web,
    addressMode: variant.mode,
    ...(variant.virtualIp !== undefined ? { virtualIp: variant.virtualIp } : {}),
    ...variant.pair,
  });
  variant.after?.(pair);
  return deployedAwsHosts(synthJson(stack), variant.platform?.existingNetwork?.subnets ?? []);
}

/**
 * The instances of a synthesized stack with the files cloud-init writes on each.
 * `existingSubnets` gives the ranges of subnets referred to by id.
 */
export function deployedAwsHosts(
  synth: ReturnType<typeof synthJson>,
  existingSubnets: ReadonlyArray<{ readonly subnetId: string; readonly cidr: string }> = [],
): AwsDeployment {
  const standIns = new StandIns();
  const subnets = resourcesOfType(synth, "aws_subnet");
  const prefixOf = (subnetId: string): number => {
    const created = /^\$\{aws_subnet\.([A-Za-z0-9_]+)\.id\}$/.exec(subnetId);
    const cidr: string | undefined = created
      ? subnets[created[1] as string]?.cidr_block
      : existingSubnets.find((s) => s.subnetId === subnetId)?.cidr;
    if (cidr === undefined) throw new Error(`unknown subnet ${subnetId}`);
    return Number(cidr.split("/")[1]);
  };
  const hosts = Object.values(resourcesOfType(synth, "aws_instance")).map((instance) => {
    const userData: string = instance.user_data;
    const doc = parse(renderTerraformTemplate(userData, standIns)) as {
      write_files: Array<{ path: string; content: string; encoding?: string; permissions: string }>;
    };
    const files = new Map<string, { content: string; executable: boolean }>();
    for (const f of doc.write_files) {
      if (f.encoding !== undefined && f.encoding !== "gz+b64")
        throw new Error(`${f.path}: encoding ${f.encoding}`);
      const content =
        f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8") : f.content;
      files.set(f.path, { content, executable: f.permissions === "0755" });
    }
    const name: string = instance.tags.Name;
    return {
      hostname: name.replace(/^daemon-check-/, ""),
      address: instance.private_ip as string,
      prefixLength: prefixOf(instance.subnet_id),
      files,
      userData,
    };
  });
  return { hosts, standIns };
}
