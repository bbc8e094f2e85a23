import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import type { AvailabilityModel, FailureDomain } from "../../model/availability";
import { assertIntegerInRange } from "../../model/config-text";
import { AddressSegment, intToIpv4, networkContains, parseIpv4Cidr } from "../../model/ipam";
import { assertEc2Id, assertZoneName } from "./cloud-ids";
import { aws } from "./provider-classes";

/** A subnet of an existing VPC. */
export interface AwsSubnetReference {
  readonly subnetId: string;
  /** The subnet's availability zone, e.g. "eu-west-1a". */
  readonly availabilityZone: string;
  /** The subnet's IPv4 range: hosts get static addresses from it. */
  readonly cidr: string;
}

/** An existing network to deploy into. */
export interface AwsExistingNetwork {
  readonly vpcId: string;
  /** The VPC's IPv4 range. */
  readonly vpcCidr: string;
  /** One subnet per availability zone, at least two zones. */
  readonly subnets: AwsSubnetReference[];
  /**
   * Route tables clients use, updated by the route-table VIP mode.
   * @default - none: the route-table mode then needs them
   */
  readonly routeTableIds?: string[];
}

/** What the network takes from the platform's props (see AwsPlatformProps for each). */
export interface AwsNetworkProps {
  readonly vpcCidr?: string;
  readonly subnetPrefixLength?: number;
  readonly availabilityZones?: string[];
  readonly zoneCount?: number;
  readonly existingNetwork?: AwsExistingNetwork;
  readonly assignPublicIps?: boolean;
}

/** One availability zone of the network: a failure domain with one subnet. */
export interface AwsZone {
  readonly domain: FailureDomain;
  /** The zone's name (a token when read from the aws_availability_zones data source). */
  readonly name: string;
  readonly subnetId: string;
  /** The subnet's addresses, leased to hosts and VIPs. */
  readonly segment: AddressSegment;
}

/** A route table clients use. */
export interface AwsRouteTable {
  readonly id: string;
  /** Its ARN, when the platform made it (a table given by id has none in the stack). */
  readonly arn?: string;
}

/** The VPC and zones a platform places hosts in, created or given. */
export interface AwsNetwork {
  /** The VPC's id (a token when the platform creates it). */
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** The VPC's whole range: VPC-wide ids (VRRP router ids) are reserved in it. */
  readonly vpcSegment: AddressSegment;
  /** In placement order: host `ordinal` goes to zone `ordinal % zones.length`. */
  readonly zones: readonly AwsZone[];
  /** Route tables clients use (the created one, or those the user gave). */
  readonly routeTables: readonly AwsRouteTable[];
  readonly assignPublicIps: boolean;
}

/** Where the network records its zones. */
interface NetworkContext {
  /** The platform: the network's resources are its children. */
  readonly scope: Construct;
  readonly namePrefix: string;
  readonly availability: AvailabilityModel;
}

/**
 * The network of an AwsPlatform: the given VPC and subnets, or a created VPC with one public
 * subnet per zone, an internet gateway and one route table. Resource ids are children of
 * `scope` (the platform): Vpc, InternetGateway, RouteTable, DefaultRoute, Zones, Subnet<i>,
 * Subnet<i>Routes.
 */
export function awsNetwork(
  scope: Construct,
  namePrefix: string,
  availability: AvailabilityModel,
  props: AwsNetworkProps,
): AwsNetwork {
  const context = { scope, namePrefix, availability };
  const made = props.existingNetwork
    ? existingNetwork(context, props.existingNetwork, props.assignPublicIps ?? false)
    : createdNetwork(context, props);
  return { ...made, vpcSegment: new AddressSegment(scope, made.vpcCidr, `VPC ${namePrefix}`) };
}

function existingNetwork(
  context: NetworkContext,
  net: AwsExistingNetwork,
  assignPublicIps: boolean,
): Omit<AwsNetwork, "vpcSegment"> {
  const { scope } = context;
  assertEc2Id(scope, "existingNetwork.vpcId", net.vpcId, "vpc");
  const vpcNet = parseIpv4Cidr(scope, "existingNetwork.vpcCidr", net.vpcCidr, 8, 28);
  if (!Array.isArray(net.subnets) || net.subnets.length < 2) {
    invalid(
      scope,
      "existingNetwork.subnets",
      net.subnets?.length ?? 0,
      "give one subnet in each of at least two availability zones",
    );
  }
  net.subnets.forEach((s, i) => {
    assertEc2Id(scope, `existingNetwork.subnets[${i}].subnetId`, s.subnetId, "subnet");
    assertZoneName(scope, `existingNetwork.subnets[${i}].availabilityZone`, s.availabilityZone);
  });
  if (net.routeTableIds !== undefined && !Array.isArray(net.routeTableIds)) {
    invalid(scope, "existingNetwork.routeTableIds", net.routeTableIds, "give a list of route-table ids");
  }
  (net.routeTableIds ?? []).forEach((id, i) => {
    assertEc2Id(scope, `existingNetwork.routeTableIds[${i}]`, id, "rtb");
  });
  const zoneNames = net.subnets.map((s) => s.availabilityZone);
  if (new Set(zoneNames).size !== zoneNames.length) {
    invalid(
      scope,
      "existingNetwork.subnets",
      zoneNames,
      "give subnets in different availability zones: a zone is the failure domain",
    );
  }
  const zones = net.subnets.map((s) => {
    const segment = new AddressSegment(scope, s.cidr, `subnet ${s.subnetId}`);
    if (!networkContains(vpcNet, intToIpv4(segment.net.network))) {
      invalid(scope, "subnet cidr", s.cidr, `use the subnet's range inside the VPC range ${vpcNet.cidr}`);
    }
    return makeZone(context, s.availabilityZone, s.availabilityZone, s.subnetId, segment);
  });
  return {
    vpcId: net.vpcId,
    vpcCidr: vpcNet.cidr,
    zones,
    routeTables: (net.routeTableIds ?? []).map((id) => ({ id })),
    assignPublicIps,
  };
}

/** The zones to create subnets in: their names (or undefined: read from the region) and count. */
function zonePlan(scope: Construct, props: AwsNetworkProps): { names?: string[]; count: number } {
  const names = props.availabilityZones;
  const count = names ? names.length : assertIntegerInRange(scope, "zoneCount", props.zoneCount ?? 2, 2, 6);
  if (names && (names.length < 2 || new Set(names).size !== names.length)) {
    invalid(
      scope,
      "availabilityZones",
      names,
      "give at least two different zones: a zone is the failure domain",
    );
  }
  if (names) for (const n of names) assertZoneName(scope, "availability zone", n);
  return { ...(names ? { names } : {}), count };
}

function createdNetwork(context: NetworkContext, props: AwsNetworkProps): Omit<AwsNetwork, "vpcSegment"> {
  const { scope, namePrefix } = context;
  const vpcNet = parseIpv4Cidr(scope, "vpcCidr", props.vpcCidr ?? "10.40.0.0/16", 16, 27);
  const subnetPrefix = assertIntegerInRange(
    scope,
    "subnetPrefixLength",
    props.subnetPrefixLength ?? Math.min(28, vpcNet.prefixLength + 4),
    vpcNet.prefixLength,
    28,
  );
  const { names, count } = zonePlan(scope, props);
  if (count > 2 ** (subnetPrefix - vpcNet.prefixLength)) {
    invalid(
      scope,
      "subnetPrefixLength",
      subnetPrefix,
      `${count} zones of /${subnetPrefix} do not fit in ${vpcNet.cidr}: use a longer prefix or a larger VPC`,
    );
  }
  const tags = { Name: namePrefix };
  const vpc = new (aws().Vpc)(scope, "Vpc", {
    cidrBlock: vpcNet.cidr,
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags: { ...tags },
  });
  const igw = new (aws().InternetGateway)(scope, "InternetGateway", { vpcId: vpc.id, tags: { ...tags } });
  const table = new (aws().RouteTable)(scope, "RouteTable", { vpcId: vpc.id, tags: { ...tags } });
  new (aws().Route)(scope, "DefaultRoute", {
    routeTableId: table.id,
    destinationCidrBlock: "0.0.0.0/0",
    gatewayId: igw.id,
  });
  const azs = names
    ? undefined
    : new (aws().DataAwsAvailabilityZones)(scope, "Zones", { state: "available" });
  const zones: AwsZone[] = [];
  for (let i = 0; i < count; i++) {
    const cidr = `${intToIpv4(vpcNet.network + i * 2 ** (32 - subnetPrefix))}/${subnetPrefix}`;
    const zoneName = names ? (names[i] as string) : Fn.element(azs?.names as string[], i);
    const zoneId = names ? (names[i] as string) : `az${i + 1}`;
    const subnet = new (aws().Subnet)(scope, `Subnet${i}`, {
      vpcId: vpc.id,
      cidrBlock: cidr,
      availabilityZone: zoneName,
      tags: { Name: `${namePrefix}-${zoneId}` },
    });
    new (aws().RouteTableAssociation)(scope, `Subnet${i}Routes`, {
      subnetId: subnet.id,
      routeTableId: table.id,
    });
    const segment = new AddressSegment(scope, cidr, `${scope.node.path}/Subnet${i}`);
    zones.push(makeZone(context, zoneId, zoneName, subnet.id, segment));
  }
  return {
    vpcId: vpc.id,
    vpcCidr: vpcNet.cidr,
    zones,
    routeTables: [{ id: table.id, arn: table.arn }],
    assignPublicIps: props.assignPublicIps ?? true,
  };
}

function makeZone(
  context: NetworkContext,
  id: string,
  name: string,
  subnetId: string,
  segment: AddressSegment,
): AwsZone {
  // AWS keeps the first four addresses and the last one of every subnet.
  for (const offset of [2, 3]) {
    segment.reserve(
      context.scope,
      "AWS reserved address",
      intToIpv4(segment.net.network + offset),
      "AWS (reserved)",
    );
  }
  const domain: FailureDomain = {
    id: `zone:${id}`,
    kind: "zone",
    description: Token.isUnresolved(name)
      ? `availability zone ${id} of the region`
      : `availability zone ${name}`,
  };
  context.availability.addFailureDomain(domain);
  return { domain, name, subnetId, segment };
}
