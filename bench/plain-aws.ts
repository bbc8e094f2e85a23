/**
 * Plain-cdktf baseline for a VIP pair on AWS: the provider, the data sources (zones, AMI,
 * partition, region, account), a VPC with an internet gateway, one route table, one subnet per
 * zone, a security group per traffic group with its ingress and egress rules, the instance role
 * with its profile and inline policies, one instance per host and the VIP's routes, written with
 * the provider classes directly, as a user without the library would.
 *
 * What the library computes (addresses, cloud-init user data, security-group rules, the policy
 * document, names and tags) is read from the library's own output, so both sides synthesize the
 * same resources with the same payload and the ratio measures the library's overhead only.
 * Terraform references in that output (`${aws_route_table.<id>.id}` in a mover script, ARNs in
 * the policy) are rewritten to the baseline's own names on extraction, and turned back into
 * references to the baseline's constructs when it builds.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, type TerraformDataSource, type TerraformResource, type TerraformStack } from "cdktf";
import type { PlainBaseline } from "./scenarios";

type Tags = Record<string, string>;

/**
 * A string that may hold Terraform references in the baseline's own names:
 * `${aws_subnet.zone-0.id}`, `${data.aws_ami.debian.id}`.
 */
type Ref = string;

interface SubnetPayload {
  readonly cidr: string;
  /** A zone name, or the index of the zone in the aws_availability_zones data source. */
  readonly zone: string | { readonly index: number };
  readonly tags: Tags;
}

interface SecurityGroupPayload {
  readonly key: string;
  readonly namePrefix: string;
  readonly description: string;
  readonly tags: Tags;
}

interface RulePayload {
  readonly key: string;
  readonly direction: "ingress" | "egress";
  readonly securityGroupId: Ref;
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIpv4?: string;
  readonly referencedSecurityGroupId?: Ref;
  readonly description?: string;
}

interface RolePayload {
  readonly key: string;
  readonly namePrefix: string;
  readonly description: string;
  readonly assumeRolePolicy: string;
  readonly profile: { readonly key: string; readonly namePrefix: string };
}

interface PolicyPayload {
  readonly key: string;
  readonly role: Ref;
  readonly name: string;
  /** The document given to jsonencode(), its strings holding references. */
  readonly document: unknown;
}

interface InstancePayload {
  readonly key: string;
  readonly ami: Ref;
  readonly instanceType: string;
  readonly subnetId: Ref;
  readonly privateIp: string;
  readonly securityGroupIds: Ref[];
  readonly associatePublicIpAddress: boolean;
  readonly keyName?: string;
  readonly iamInstanceProfile?: Ref;
  readonly sourceDestCheck?: boolean;
  readonly userData: Ref;
  readonly tags: Tags;
}

interface VipRoutePayload {
  readonly key: string;
  readonly routeTableId: Ref;
  readonly destinationCidrBlock: string;
  readonly networkInterfaceId: Ref;
  readonly ignoreChanges?: string[];
}

interface AwsVipPairPayload {
  /** The data sources the library reads, by type (`aws_region`, ...). */
  readonly dataSources: string[];
  readonly zonesState?: string;
  readonly ami?: {
    readonly mostRecent: boolean;
    readonly owners: string[];
    readonly filters: Array<{ readonly name: string; readonly values: string[] }>;
  };
  readonly vpc: {
    readonly cidr: string;
    readonly enableDnsHostnames: boolean;
    readonly enableDnsSupport: boolean;
    readonly tags: Tags;
  };
  readonly gatewayTags: Tags;
  readonly routeTableTags: Tags;
  readonly subnets: SubnetPayload[];
  readonly securityGroups: SecurityGroupPayload[];
  readonly rules: RulePayload[];
  readonly roles: RolePayload[];
  readonly policies: PolicyPayload[];
  readonly instances: InstancePayload[];
  readonly vipRoutes: VipRoutePayload[];
}

// ---------------------------------------------------------------------------------------------
// Extraction (untimed): the library's cdk.tf.json, as synthesized (snake_case)

type Block = Record<string, unknown>;

interface SynthesizedStack {
  resource: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
}

/** Resource and data-source types the baseline builds; anything else in the output is an error. */
const RESOURCE_TYPES = new Set([
  "aws_vpc",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_route",
  "aws_subnet",
  "aws_route_table_association",
  "aws_security_group",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_iam_role",
  "aws_iam_instance_profile",
  "aws_iam_role_policy",
  "aws_instance",
]);
/** Data sources the baseline reads, with the names it gives them. */
const DATA_SOURCES: Record<string, string> = {
  aws_availability_zones: "zones",
  aws_ami: "debian",
  aws_partition: "partition",
  aws_region: "region",
  aws_caller_identity: "account",
};

/**
 * A Terraform reference `${type.name.attribute}` or `${data.type.name.attribute}`, not preceded
 * by another `$` (`$${` is a literal in generated scripts).
 */
const REFERENCE = /(?<!\$)\$\{(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;

function fail(message: string): never {
  throw new Error(`plain-aws: ${message}`);
}

function only<T>(what: string, values: T[]): T {
  if (values.length !== 1) fail(`expected one ${what}, found ${values.length}`);
  return values[0] as T;
}

function extract(stackDir: string): AwsVipPairPayload {
  const doc = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
  for (const type of Object.keys(doc.resource)) {
    if (!RESOURCE_TYPES.has(type)) fail(`the library's stack has ${type}, which the baseline does not build`);
  }
  for (const type of Object.keys(doc.data ?? {})) {
    if (!(type in DATA_SOURCES)) fail(`the library's stack reads data.${type}, which the baseline does not`);
  }
  const blocks = (type: string) => Object.entries(doc.resource[type] ?? {});

  // The baseline's name of every library resource, for rewriting references.
  const names = new Map<string, string>();
  const name = (type: string, logicalId: string, key: string): void => {
    names.set(`${type}.${logicalId}`, key);
  };
  for (const [type, key] of Object.entries(DATA_SOURCES)) {
    const ids = Object.keys(doc.data?.[type] ?? {});
    if (ids.length > 1) fail(`expected at most one data.${type}, found ${ids.length}`);
    if (ids[0] !== undefined) name(`data.${type}`, ids[0], key);
  }
  const [vpcId, vpc] = only("aws_vpc", blocks("aws_vpc"));
  name("aws_vpc", vpcId, "vpc");
  const [gatewayId, gateway] = only("aws_internet_gateway", blocks("aws_internet_gateway"));
  name("aws_internet_gateway", gatewayId, "gateway");
  const [tableId, table] = only("aws_route_table", blocks("aws_route_table"));
  name("aws_route_table", tableId, "routes");
  // Subnets in address order: zone i gets the i-th range, as the library carves them.
  const subnets = blocks("aws_subnet").sort(([, a], [, b]) =>
    String(a.cidr_block).localeCompare(String(b.cidr_block), "en", { numeric: true }),
  );
  for (const [i, [id]] of subnets.entries()) name("aws_subnet", id, `zone-${i}`);
  for (const [id, sg] of blocks("aws_security_group"))
    name("aws_security_group", id, (sg.tags as Tags).Name ?? id);
  for (const [i, [id]] of blocks("aws_iam_role").entries()) name("aws_iam_role", id, `vip-role-${i}`);
  for (const [i, [id]] of blocks("aws_iam_instance_profile").entries())
    name("aws_iam_instance_profile", id, `vip-profile-${i}`);
  for (const [id, instance] of blocks("aws_instance"))
    name("aws_instance", id, (instance.tags as Tags).Name ?? id);

  /** Rewrites the references in `text` to the baseline's names. */
  const rename = (text: string): Ref =>
    text.replace(
      REFERENCE,
      (whole, data: string | undefined, type: string, logicalId: string, attribute: string) => {
        const key = names.get(`${data ?? ""}${type}.${logicalId}`);
        if (key === undefined) fail(`a reference the baseline cannot make: ${whole}`);
        return `\${${data ?? ""}${type}.${key}.${attribute}}`;
      },
    );
  const str = (value: unknown): string => {
    if (typeof value !== "string") fail(`expected a string, found ${JSON.stringify(value)}`);
    return value;
  };

  const zonesData = Object.values(doc.data?.aws_availability_zones ?? {})[0];
  const amiData = Object.values(doc.data?.aws_ami ?? {})[0];
  // The internet route is the platform's; the others are the VIP's (route-table mode).
  const routes = blocks("aws_route");
  const defaultRoute = only(
    "default route",
    routes.filter(([, r]) => r.gateway_id !== undefined),
  )[1];
  const vipRoutes = routes.filter(([, r]) => r.gateway_id === undefined);
  if (
    rename(str(defaultRoute.gateway_id)) !== `\${aws_internet_gateway.gateway.id}` ||
    defaultRoute.destination_cidr_block !== "0.0.0.0/0"
  ) {
    fail(`unexpected default route ${JSON.stringify(defaultRoute)}`);
  }
  const associations = blocks("aws_route_table_association");
  if (associations.length !== subnets.length)
    fail(`${associations.length} route-table associations for ${subnets.length} subnets`);

  const rules: RulePayload[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    const counts = new Map<string, number>();
    for (const [, rule] of blocks(`aws_vpc_security_group_${direction}_rule`)) {
      const group = rename(str(rule.security_group_id));
      const sg = /^\$\{aws_security_group\.(.+)\.id\}$/.exec(group)?.[1] ?? fail(`rule of ${group}`);
      const n = counts.get(sg) ?? 0;
      counts.set(sg, n + 1);
      rules.push({
        key: `${sg}-${direction}-${n}`,
        direction,
        securityGroupId: group,
        ipProtocol: str(rule.ip_protocol),
        ...(rule.from_port !== undefined ? { fromPort: rule.from_port as number } : {}),
        ...(rule.to_port !== undefined ? { toPort: rule.to_port as number } : {}),
        ...(rule.cidr_ipv4 !== undefined ? { cidrIpv4: str(rule.cidr_ipv4) } : {}),
        ...(rule.referenced_security_group_id !== undefined
          ? { referencedSecurityGroupId: rename(str(rule.referenced_security_group_id)) }
          : {}),
        ...(rule.description !== undefined ? { description: str(rule.description) } : {}),
      });
    }
  }

  const profiles = blocks("aws_iam_instance_profile");
  const roles = blocks("aws_iam_role").map(([id, role], i): RolePayload => {
    const roleRef = `\${aws_iam_role.vip-role-${i}.name}`;
    const [profileId, profile] = only(
      `instance profile of ${id}`,
      profiles.filter(([, p]) => rename(str(p.role)) === roleRef),
    );
    return {
      key: `vip-role-${i}`,
      namePrefix: str(role.name_prefix),
      description: str(role.description),
      assumeRolePolicy: str(role.assume_role_policy),
      profile: {
        key: names.get(`aws_iam_instance_profile.${profileId}`) as string,
        namePrefix: str(profile.name_prefix),
      },
    };
  });

  return {
    dataSources: Object.keys(doc.data ?? {}),
    ...(zonesData ? { zonesState: str(zonesData.state) } : {}),
    ...(amiData
      ? {
          ami: {
            mostRecent: amiData.most_recent as boolean,
            owners: amiData.owners as string[],
            filters: amiData.filter as Array<{ name: string; values: string[] }>,
          },
        }
      : {}),
    vpc: {
      cidr: str(vpc.cidr_block),
      enableDnsHostnames: vpc.enable_dns_hostnames as boolean,
      enableDnsSupport: vpc.enable_dns_support as boolean,
      tags: vpc.tags as Tags,
    },
    gatewayTags: gateway.tags as Tags,
    routeTableTags: table.tags as Tags,
    subnets: subnets.map(([, s], i): SubnetPayload => {
      const zone = str(s.availability_zone);
      const index = /^\$\{element\(data\.aws_availability_zones\.[^.]+\.names, (\d+)\)\}$/.exec(zone)?.[1];
      if (index !== undefined && Number(index) !== i) fail(`subnet ${i} is in zone ${index}`);
      if (index === undefined && zone.includes("${")) fail(`unexpected availability zone ${zone}`);
      return {
        cidr: str(s.cidr_block),
        zone: index !== undefined ? { index: i } : zone,
        tags: s.tags as Tags,
      };
    }),
    securityGroups: blocks("aws_security_group").map(([id, sg]) => ({
      key: names.get(`aws_security_group.${id}`) as string,
      namePrefix: str(sg.name_prefix),
      description: str(sg.description),
      tags: sg.tags as Tags,
    })),
    rules,
    roles,
    policies: blocks("aws_iam_role_policy").map(([, p]) => ({
      key: `policy-${str(p.name)}`,
      role: rename(str(p.role)),
      name: str(p.name),
      document: renameAll(jsonencodeArgument(str(p.policy)), rename),
    })),
    instances: blocks("aws_instance").map(
      ([id, i]): InstancePayload => ({
        key: names.get(`aws_instance.${id}`) as string,
        ami: rename(str(i.ami)),
        instanceType: str(i.instance_type),
        subnetId: rename(str(i.subnet_id)),
        privateIp: str(i.private_ip),
        securityGroupIds: (i.vpc_security_group_ids as string[]).map(rename),
        associatePublicIpAddress: i.associate_public_ip_address as boolean,
        ...(i.key_name !== undefined ? { keyName: str(i.key_name) } : {}),
        ...(i.iam_instance_profile !== undefined
          ? { iamInstanceProfile: rename(str(i.iam_instance_profile)) }
          : {}),
        ...(i.source_dest_check !== undefined ? { sourceDestCheck: i.source_dest_check as boolean } : {}),
        userData: rename(str(i.user_data)),
        tags: i.tags as Tags,
      }),
    ),
    vipRoutes: vipRoutes.map(([, r], i) => ({
      key: `vip-route-${i}`,
      routeTableId: rename(str(r.route_table_id)),
      destinationCidrBlock: str(r.destination_cidr_block),
      networkInterfaceId: rename(str(r.network_interface_id)),
      ...((r.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes
        ? { ignoreChanges: (r.lifecycle as { ignore_changes: string[] }).ignore_changes }
        : {}),
    })),
  };
}

/** A reference outside a string at the start of the text (HCL allows them bare). */
const BARE_REFERENCE = /^(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z0-9_]+/;

/**
 * The argument of `${jsonencode(...)}` as a value: cdktf writes it in HCL object syntax
 * (`{"Key" = value, ...}`), which is JSON once `=` outside strings becomes `:` and bare references become strings.
 */
function jsonencodeArgument(expression: string): unknown {
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expression);
  if (!m) fail(`expected a jsonencode() expression, found ${expression.slice(0, 80)}`);
  const hcl = m[1] as string;
  let json = "";
  let inString = false;
  for (let i = 0; i < hcl.length; i++) {
    const c = hcl[i] as string;
    if (inString) {
      json += c;
      if (c === "\\") json += hcl[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      json += c;
    } else {
      // A bare reference (a resource's own attribute, e.g. `aws_route_table.x.arn`) becomes the
      // string "${...}" that ref() rewrites and Fn.jsonencode renders bare again.
      const bare = BARE_REFERENCE.exec(hcl.slice(i));
      if (bare) {
        json += JSON.stringify(`\${${bare[0]}}`);
        i += bare[0].length - 1;
      } else json += c === "=" ? ":" : c;
    }
  }
  return JSON.parse(json) as unknown;
}

/** Applies `rename` to every string in a JSON value. */
function renameAll(value: unknown, rename: (text: string) => string): unknown {
  if (typeof value === "string") return rename(value);
  if (Array.isArray(value)) return value.map((v) => renameAll(v, rename));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameAll(v, rename)]));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Build (timed): the stack as a user would write it

function build(stack: TerraformStack, payload: unknown): void {
  const p = payload as AwsVipPairPayload;
  const made = new Map<string, TerraformResource | TerraformDataSource>();
  const keep = <T extends TerraformResource | TerraformDataSource>(type: string, key: string, x: T): T => {
    made.set(`${type}.${key}`, x);
    return x;
  };
  /** Turns the references in `text` into references to the constructs made here. */
  const ref = (text: Ref): string =>
    text.replace(
      REFERENCE,
      (whole, data: string | undefined, type: string, key: string, attribute: string) => {
        const target = made.get(`${data ?? ""}${type}.${key}`);
        if (target === undefined) fail(`${whole} refers to nothing built before it`);
        return target.getStringAttribute(attribute);
      },
    );
  const refAll = (value: unknown): unknown => renameAll(value, ref);

  new AwsProvider(stack, "aws", {});
  const zones = p.zonesState
    ? keep(
        "data.aws_availability_zones",
        "zones",
        new DataAwsAvailabilityZones(stack, "zones", { state: p.zonesState }),
      )
    : undefined;
  if (p.ami) {
    keep(
      "data.aws_ami",
      "debian",
      new DataAwsAmi(stack, "debian", {
        mostRecent: p.ami.mostRecent,
        owners: p.ami.owners,
        filter: p.ami.filters,
      }),
    );
  }
  // For the ARNs of the policies.
  const reads = new Set(p.dataSources);
  if (reads.has("aws_partition"))
    keep("data.aws_partition", "partition", new DataAwsPartition(stack, "partition"));
  if (reads.has("aws_region")) keep("data.aws_region", "region", new DataAwsRegion(stack, "region"));
  if (reads.has("aws_caller_identity"))
    keep("data.aws_caller_identity", "account", new DataAwsCallerIdentity(stack, "account"));

  const vpc = keep(
    "aws_vpc",
    "vpc",
    new Vpc(stack, "vpc", {
      cidrBlock: p.vpc.cidr,
      enableDnsHostnames: p.vpc.enableDnsHostnames,
      enableDnsSupport: p.vpc.enableDnsSupport,
      tags: p.vpc.tags,
    }),
  );
  const gateway = keep(
    "aws_internet_gateway",
    "gateway",
    new InternetGateway(stack, "gateway", { vpcId: vpc.id, tags: p.gatewayTags }),
  );
  const table = keep(
    "aws_route_table",
    "routes",
    new RouteTable(stack, "routes", { vpcId: vpc.id, tags: p.routeTableTags }),
  );
  new Route(stack, "default-route", {
    routeTableId: table.id,
    destinationCidrBlock: "0.0.0.0/0",
    gatewayId: gateway.id,
  });
  p.subnets.forEach((s, i) => {
    const subnet = keep(
      "aws_subnet",
      `zone-${i}`,
      new Subnet(stack, `zone-${i}`, {
        vpcId: vpc.id,
        cidrBlock: s.cidr,
        availabilityZone:
          typeof s.zone === "string" ? s.zone : Fn.element(zones?.names as string[], s.zone.index),
        tags: s.tags,
      }),
    );
    new RouteTableAssociation(stack, `zone-${i}-routes`, { subnetId: subnet.id, routeTableId: table.id });
  });

  for (const sg of p.securityGroups) {
    keep(
      "aws_security_group",
      sg.key,
      new SecurityGroup(stack, sg.key, {
        namePrefix: sg.namePrefix,
        description: sg.description,
        vpcId: vpc.id,
        tags: sg.tags,
        lifecycle: { createBeforeDestroy: true },
      }),
    );
  }
  for (const r of p.rules) {
    const config = {
      securityGroupId: ref(r.securityGroupId),
      ipProtocol: r.ipProtocol,
      fromPort: r.fromPort,
      toPort: r.toPort,
      cidrIpv4: r.cidrIpv4,
      referencedSecurityGroupId: r.referencedSecurityGroupId && ref(r.referencedSecurityGroupId),
      description: r.description,
    };
    if (r.direction === "ingress") new VpcSecurityGroupIngressRule(stack, r.key, config);
    else new VpcSecurityGroupEgressRule(stack, r.key, config);
  }

  for (const r of p.roles) {
    const role = keep(
      "aws_iam_role",
      r.key,
      new IamRole(stack, r.key, {
        namePrefix: r.namePrefix,
        description: r.description,
        assumeRolePolicy: r.assumeRolePolicy,
      }),
    );
    keep(
      "aws_iam_instance_profile",
      r.profile.key,
      new IamInstanceProfile(stack, r.profile.key, { namePrefix: r.profile.namePrefix, role: role.name }),
    );
  }

  for (const i of p.instances) {
    keep(
      "aws_instance",
      i.key,
      new Instance(stack, i.key, {
        ami: ref(i.ami),
        instanceType: i.instanceType,
        subnetId: ref(i.subnetId),
        privateIp: i.privateIp,
        vpcSecurityGroupIds: i.securityGroupIds.map(ref),
        associatePublicIpAddress: i.associatePublicIpAddress,
        ...(i.keyName ? { keyName: i.keyName } : {}),
        ...(i.iamInstanceProfile ? { iamInstanceProfile: ref(i.iamInstanceProfile) } : {}),
        ...(i.sourceDestCheck !== undefined ? { sourceDestCheck: i.sourceDestCheck } : {}),
        userData: ref(i.userData),
        userDataReplaceOnChange: true,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        rootBlockDevice: { encrypted: true, volumeType: "gp3" },
        tags: i.tags,
      }),
    );
  }

  for (const r of p.vipRoutes) {
    new Route(stack, r.key, {
      routeTableId: ref(r.routeTableId),
      destinationCidrBlock: r.destinationCidrBlock,
      networkInterfaceId: ref(r.networkInterfaceId),
      ...(r.ignoreChanges ? { lifecycle: { ignoreChanges: r.ignoreChanges } } : {}),
    });
  }
  for (const policy of p.policies) {
    new IamRolePolicy(stack, policy.key, {
      role: ref(policy.role),
      name: policy.name,
      policy: Fn.jsonencode(refAll(policy.document)),
    });
  }
}

/** The plain-cdktf baseline of `vip-pair` on `aws`. */
export const awsVipPairBaseline: PlainBaseline = { extract, build };
