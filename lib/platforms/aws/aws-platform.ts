import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Instance } from "@cdktf/provider-aws/lib/instance";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Fn, Lazy, TerraformIterator, TerraformStack, Token } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { assertIntegerInRange, assertName } from "../../model/config-text";
import { HealthCheckKind } from "../../model/health-check";
import { type HostAttachment, type HostSpec, resolveText, SoftwareKind } from "../../model/host-spec";
import { AddressSegment, intToIpv4, isIpv4, networkContains, parseIpv4Cidr } from "../../model/ipam";
import { renderCloudInit } from "../../render/cloud-init";
import { renderSupervisor, SUPERVISOR_PATH } from "../../render/supervisor";
import { moverPath, renderVipMover, type VipMoverAction } from "../../render/vip-mover";
import { deferredString } from "../deferred";
import { optionalPeer } from "../optional-peer";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
  type IHost,
  type ManagedLoadBalancerBinding,
  ManagedLoadBalancerKind,
  type ManagedLoadBalancerRequest,
  type NetworkTraits,
  Platform,
  PlatformHost,
  TrafficProtocol,
  type TrafficRule,
} from "../platform";
import { holdsToken, terraformLiteral } from "../terraform-text";

/** The provider's classes, loaded when this platform is first used (see optionalPeer). */
const aws = optionalPeer("@cdktf/provider-aws", () => ({
  DataAwsAmi: (
    require("@cdktf/provider-aws/lib/data-aws-ami") as typeof import("@cdktf/provider-aws/lib/data-aws-ami")
  ).DataAwsAmi,
  DataAwsAvailabilityZones: (
    require("@cdktf/provider-aws/lib/data-aws-availability-zones") as typeof import("@cdktf/provider-aws/lib/data-aws-availability-zones")
  ).DataAwsAvailabilityZones,
  DataAwsCallerIdentity: (
    require("@cdktf/provider-aws/lib/data-aws-caller-identity") as typeof import("@cdktf/provider-aws/lib/data-aws-caller-identity")
  ).DataAwsCallerIdentity,
  DataAwsPartition: (
    require("@cdktf/provider-aws/lib/data-aws-partition") as typeof import("@cdktf/provider-aws/lib/data-aws-partition")
  ).DataAwsPartition,
  DataAwsRegion: (
    require("@cdktf/provider-aws/lib/data-aws-region") as typeof import("@cdktf/provider-aws/lib/data-aws-region")
  ).DataAwsRegion,
  Eip: (require("@cdktf/provider-aws/lib/eip") as typeof import("@cdktf/provider-aws/lib/eip")).Eip,
  IamInstanceProfile: (
    require("@cdktf/provider-aws/lib/iam-instance-profile") as typeof import("@cdktf/provider-aws/lib/iam-instance-profile")
  ).IamInstanceProfile,
  IamRole: (require("@cdktf/provider-aws/lib/iam-role") as typeof import("@cdktf/provider-aws/lib/iam-role"))
    .IamRole,
  IamRolePolicy: (
    require("@cdktf/provider-aws/lib/iam-role-policy") as typeof import("@cdktf/provider-aws/lib/iam-role-policy")
  ).IamRolePolicy,
  Instance: (require("@cdktf/provider-aws/lib/instance") as typeof import("@cdktf/provider-aws/lib/instance"))
    .Instance,
  InternetGateway: (
    require("@cdktf/provider-aws/lib/internet-gateway") as typeof import("@cdktf/provider-aws/lib/internet-gateway")
  ).InternetGateway,
  Lb: (require("@cdktf/provider-aws/lib/lb") as typeof import("@cdktf/provider-aws/lib/lb")).Lb,
  LbListener: (
    require("@cdktf/provider-aws/lib/lb-listener") as typeof import("@cdktf/provider-aws/lib/lb-listener")
  ).LbListener,
  LbTargetGroup: (
    require("@cdktf/provider-aws/lib/lb-target-group") as typeof import("@cdktf/provider-aws/lib/lb-target-group")
  ).LbTargetGroup,
  LbTargetGroupAttachment: (
    require("@cdktf/provider-aws/lib/lb-target-group-attachment") as typeof import("@cdktf/provider-aws/lib/lb-target-group-attachment")
  ).LbTargetGroupAttachment,
  Route: (require("@cdktf/provider-aws/lib/route") as typeof import("@cdktf/provider-aws/lib/route")).Route,
  RouteTable: (
    require("@cdktf/provider-aws/lib/route-table") as typeof import("@cdktf/provider-aws/lib/route-table")
  ).RouteTable,
  RouteTableAssociation: (
    require("@cdktf/provider-aws/lib/route-table-association") as typeof import("@cdktf/provider-aws/lib/route-table-association")
  ).RouteTableAssociation,
  SecurityGroup: (
    require("@cdktf/provider-aws/lib/security-group") as typeof import("@cdktf/provider-aws/lib/security-group")
  ).SecurityGroup,
  Subnet: (require("@cdktf/provider-aws/lib/subnet") as typeof import("@cdktf/provider-aws/lib/subnet"))
    .Subnet,
  Vpc: (require("@cdktf/provider-aws/lib/vpc") as typeof import("@cdktf/provider-aws/lib/vpc")).Vpc,
  VpcSecurityGroupEgressRule: (
    require("@cdktf/provider-aws/lib/vpc-security-group-egress-rule") as typeof import("@cdktf/provider-aws/lib/vpc-security-group-egress-rule")
  ).VpcSecurityGroupEgressRule,
  VpcSecurityGroupIngressRule: (
    require("@cdktf/provider-aws/lib/vpc-security-group-ingress-rule") as typeof import("@cdktf/provider-aws/lib/vpc-security-group-ingress-rule")
  ).VpcSecurityGroupIngressRule,
}));

/**
 * User data up to this size is shipped as plain text; larger user data has its files gzipped.
 * EC2 accepts 16 KiB; the margin leaves room for deploy-time values filled in by Terraform.
 */
const USER_DATA_PLAIN_LIMIT = 12 * 1024;
/** EC2's limit on user data. */
const USER_DATA_MAX = 16 * 1024;

/** Debian's AWS account, owner of the official Debian AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";

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

/** Properties of an AwsPlatform. */
export interface AwsPlatformProps {
  /**
   * Range of the VPC the platform creates. Ignored with `existingNetwork`.
   * @default "10.40.0.0/16"
   */
  readonly vpcCidr?: string;
  /**
   * Prefix length of each zone's subnet, carved from the start of `vpcCidr` in zone order.
   * @default - the VPC's prefix + 4 (a /20 of a /16: 4091 hosts per zone, room for 16 subnets), at most /28
   */
  readonly subnetPrefixLength?: number;
  /**
   * Availability zones to use, by name.
   * @default - the first `zoneCount` zones of the region, read by the aws_availability_zones data source
   */
  readonly availabilityZones?: string[];
  /**
   * How many zones to spread hosts over when `availabilityZones` is not given.
   * @default 2 - the fewest that survive a zone failure
   */
  readonly zoneCount?: number;
  /**
   * Deploy into an existing VPC and subnets instead of creating them.
   * @default - the platform creates a VPC, one public subnet per zone and an internet gateway
   */
  readonly existingNetwork?: AwsExistingNetwork;
  /**
   * EC2 instance type of every host.
   * @default "t3.small" - 2 vCPUs and 2 GiB run HAProxy and keepalived, or the demo backend, with room
   */
  readonly instanceType?: string;
  /**
   * Instance type per host role ("load-balancer", "backend"), overriding `instanceType`.
   * @default - `instanceType` for every role
   */
  readonly instanceTypes?: Record<string, string>;
  /**
   * AMI of the hosts; it must be Debian 12 (the configuration is checked against its packages).
   * @default - the newest official Debian 12 amd64 AMI, found by an aws_ami data source
   */
  readonly ami?: string;
  /**
   * Networks allowed to reach the listener ports.
   * @default ["0.0.0.0/0"] - listeners are public; nothing else is
   */
  readonly allowedClientCidrs?: string[];
  /**
   * Networks allowed to reach SSH (port 22) on every host.
   * @default - none: SSH is closed (use SSM Session Manager or open it here)
   */
  readonly sshCidrs?: string[];
  /**
   * EC2 key pair for SSH.
   * @default - none
   */
  readonly keyName?: string;
  /**
   * Give hosts public addresses, for outbound package and API traffic without a NAT gateway.
   * Security groups still admit only the listener ports.
   * @default true with the created VPC; false with `existingNetwork`
   */
  readonly assignPublicIps?: boolean;
  /**
   * Prefix of resource names and Name tags.
   * @default - the stack's name
   */
  readonly namePrefix?: string;
  /**
   * Name of the hosts' network interface as Debian 12 names it.
   * @default "ens5" - the name of the first ENA interface on Nitro instances
   */
  readonly interfaceName?: string;
}

interface Zone {
  readonly domain: FailureDomain;
  readonly name: string;
  readonly subnetId: string;
  readonly segment: AddressSegment;
}

/** A host on AWS: one EC2 instance configured by cloud-init. */
export class AwsHost extends PlatformHost {
  /** The instance. */
  public readonly resource: Instance;

  /** @internal */
  constructor(scope: Construct, id: string, platform: AwsPlatform, spec: HostSpec) {
    super(scope, id, platform, spec);
    if (spec.software.kind === SoftwareKind.IMAGE) {
      invalid(
        this,
        "software",
        spec.software.image,
        "container images run on the Docker platform; on AWS hosts install Debian packages (leave `image` unset for the demo backend)",
      );
    }
    const zone = platform.zoneOf(spec.ordinal);
    const userData = deferredString(() => {
      const files = [
        ...(spec.processes.length
          ? [
              {
                path: SUPERVISOR_PATH,
                content: renderSupervisor({
                  processes: spec.processes,
                  restartDelaySeconds: 2,
                  runDir: "/run/ha",
                }),
                executable: true,
              },
            ]
          : []),
        ...spec.files.map((f) => ({
          path: f.path,
          content: resolveText(f.content),
          executable: f.executable ?? false,
        })),
      ];
      const render = (compress: boolean) =>
        terraformLiteral(
          renderCloudInit({
            packages: spec.software.packages,
            // Files with deploy-time values stay plain so that Terraform can fill them in.
            files: files.map((f) => ({ ...f, compress: compress && !holdsToken(f.content) })),
            sysctls: spec.sysctls,
            ...(spec.processes.length
              ? { supervisor: { path: SUPERVISOR_PATH, processes: spec.processes.map((p) => p.name) } }
              : {}),
            ...(spec.environment ? { environment: spec.environment } : {}),
          }),
        );
      // Plain text reads well in a plan's diff; gzip only what would approach EC2's 16 KiB limit.
      const plain = render(false);
      if (Buffer.byteLength(plain) <= USER_DATA_PLAIN_LIMIT) return plain;
      const packed = render(true);
      const bytes = Buffer.byteLength(packed);
      if (bytes > USER_DATA_MAX) {
        invalid(
          this,
          "user data size",
          bytes,
          `EC2 accepts at most ${USER_DATA_MAX} bytes even gzipped: spread the backends over more pools`,
        );
      }
      return packed;
    });
    this.resource = new (aws().Instance)(this, "Resource", {
      ami: platform.amiId,
      instanceType: platform.instanceTypeFor(spec.role),
      subnetId: zone.subnetId,
      privateIp: deferredString(() => spec.attachment.lease.address),
      vpcSecurityGroupIds: [platform.securityGroupFor(spec.trafficGroup).id],
      associatePublicIpAddress: platform.assignPublicIps,
      ...(platform.keyName ? { keyName: platform.keyName } : {}),
      userData,
      userDataReplaceOnChange: true,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: "gp3" },
      tags: { Name: `${platform.namePrefix}-${spec.hostname}`, "ha:role": spec.role },
    });
  }
}

/**
 * AWS as a target: a VPC with one subnet per availability zone (or an existing one), EC2
 * instances from the official Debian 12 AMI configured by cloud-init, security groups opened
 * exactly for the flows topologies declare, and floating addresses moved through the EC2 API by
 * a script that only an instance role scoped to those calls and resources may run.
 *
 * Zones are the failure domains: hosts of a group are spread over them in turn.
 */
export class AwsPlatform extends Platform {
  public readonly platformName = "aws";
  public readonly traits: NetworkTraits = { multicast: false, gratuitousArp: false };
  public readonly interfaceName: string;
  public readonly defaultFloatingAddressMode = FloatingAddressMode.SECONDARY_PRIVATE_IP;
  public readonly namePrefix: string;
  /** The VPC's id (a token when the platform creates it). */
  public readonly vpcId: string;
  /** The VPC's range. */
  public readonly vpcCidr: string;
  /** @internal */
  public readonly assignPublicIps: boolean;
  /** @internal */
  public readonly keyName?: string;
  private readonly props: AwsPlatformProps;
  private readonly zones: Zone[];
  private readonly routeTableIds: string[];
  private readonly vpcSegment: AddressSegment;
  private readonly securityGroups = new Map<string, SecurityGroup>();
  private readonly groupsScope: Construct;
  private readonly rolesScope: Construct;
  private readonly roles = new Map<string, IamRole>();
  private readonly ruleKeys = new Set<string>();
  private ami?: string;
  private arnParts?: { partition: string; region: string; account: string };

  constructor(scope: Construct, id: string, props: AwsPlatformProps = {}) {
    super(scope, id);
    this.props = props;
    this.namePrefix = assertName(this, "namePrefix", props.namePrefix ?? TerraformStack.of(this).node.id);
    this.interfaceName = assertName(this, "interfaceName", props.interfaceName ?? "ens5");
    this.keyName = props.keyName;
    for (const cidr of [...(props.allowedClientCidrs ?? []), ...(props.sshCidrs ?? [])]) {
      parseIpv4Cidr(this, "CIDR", cidr, 0, 32);
    }
    this.groupsScope = new Construct(this, "SecurityGroups");
    this.rolesScope = new Construct(this, "Roles");
    this.availability.addPlatform("aws", this.node.path);

    if (props.existingNetwork) {
      const net = props.existingNetwork;
      const vpcNet = parseIpv4Cidr(this, "existingNetwork.vpcCidr", net.vpcCidr, 8, 28);
      if (!Array.isArray(net.subnets) || net.subnets.length < 2) {
        invalid(
          this,
          "existingNetwork.subnets",
          net.subnets?.length ?? 0,
          "give one subnet in each of at least two availability zones",
        );
      }
      const zoneNames = net.subnets.map((s) => s.availabilityZone);
      if (new Set(zoneNames).size !== zoneNames.length) {
        invalid(
          this,
          "existingNetwork.subnets",
          zoneNames,
          "give subnets in different availability zones: a zone is the failure domain",
        );
      }
      this.vpcId = net.vpcId;
      this.vpcCidr = vpcNet.cidr;
      this.zones = net.subnets.map((s) => {
        const segment = new AddressSegment(this, s.cidr, `subnet ${s.subnetId}`);
        if (!networkContains(vpcNet, intToIpv4(segment.net.network))) {
          invalid(this, "subnet cidr", s.cidr, `use the subnet's range inside the VPC range ${vpcNet.cidr}`);
        }
        return this.makeZone(s.availabilityZone, s.availabilityZone, s.subnetId, segment);
      });
      this.routeTableIds = [...(net.routeTableIds ?? [])];
      this.assignPublicIps = props.assignPublicIps ?? false;
    } else {
      const vpcNet = parseIpv4Cidr(this, "vpcCidr", props.vpcCidr ?? "10.40.0.0/16", 16, 27);
      const subnetPrefix = assertIntegerInRange(
        this,
        "subnetPrefixLength",
        props.subnetPrefixLength ?? Math.min(28, vpcNet.prefixLength + 4),
        vpcNet.prefixLength,
        28,
      );
      const names = props.availabilityZones;
      const count = names
        ? names.length
        : assertIntegerInRange(this, "zoneCount", props.zoneCount ?? 2, 2, 6);
      if (names && (names.length < 2 || new Set(names).size !== names.length)) {
        invalid(
          this,
          "availabilityZones",
          names,
          "give at least two different zones: a zone is the failure domain",
        );
      }
      if (names) for (const n of names) assertName(this, "availability zone", n);
      if (count > 2 ** (subnetPrefix - vpcNet.prefixLength)) {
        invalid(
          this,
          "subnetPrefixLength",
          subnetPrefix,
          `${count} zones of /${subnetPrefix} do not fit in ${vpcNet.cidr}: use a longer prefix or a larger VPC`,
        );
      }
      const vpc = new (aws().Vpc)(this, "Vpc", {
        cidrBlock: vpcNet.cidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: this.namePrefix },
      });
      const igw = new (aws().InternetGateway)(this, "InternetGateway", {
        vpcId: vpc.id,
        tags: { Name: this.namePrefix },
      });
      const table = new (aws().RouteTable)(this, "RouteTable", {
        vpcId: vpc.id,
        tags: { Name: this.namePrefix },
      });
      new (aws().Route)(this, "DefaultRoute", {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw.id,
      });
      const azs = names
        ? undefined
        : new (aws().DataAwsAvailabilityZones)(this, "Zones", { state: "available" });
      this.zones = [];
      for (let i = 0; i < count; i++) {
        const cidr = `${intToIpv4(vpcNet.network + i * 2 ** (32 - subnetPrefix))}/${subnetPrefix}`;
        const zoneName = names ? (names[i] as string) : Fn.element(azs?.names as string[], i);
        const zoneId = names ? (names[i] as string) : `az${i + 1}`;
        const subnet = new (aws().Subnet)(this, `Subnet${i}`, {
          vpcId: vpc.id,
          cidrBlock: cidr,
          availabilityZone: zoneName,
          tags: { Name: `${this.namePrefix}-${zoneId}` },
        });
        new (aws().RouteTableAssociation)(this, `Subnet${i}Routes`, {
          subnetId: subnet.id,
          routeTableId: table.id,
        });
        const segment = new AddressSegment(this, cidr, `${this.node.path}/Subnet${i}`);
        this.zones.push(this.makeZone(zoneId, zoneName, subnet.id, segment));
      }
      this.vpcId = vpc.id;
      this.vpcCidr = vpcNet.cidr;
      this.routeTableIds = [table.id];
      this.assignPublicIps = props.assignPublicIps ?? true;
    }
    this.vpcSegment = new AddressSegment(this, this.vpcCidr, `VPC ${this.namePrefix}`);
  }

  private makeZone(id: string, name: string, subnetId: string, segment: AddressSegment): Zone {
    // AWS keeps the first four addresses and the last one of every subnet.
    for (const offset of [2, 3])
      segment.reserve(
        this,
        "AWS reserved address",
        intToIpv4(segment.net.network + offset),
        "AWS (reserved)",
      );
    const domain: FailureDomain = {
      id: `zone:${id}`,
      kind: "zone",
      description: Token.isUnresolved(name)
        ? `availability zone ${id} of the region`
        : `availability zone ${name}`,
    };
    this.availability.addFailureDomain(domain);
    return { domain, name, subnetId, segment };
  }

  /** @internal */
  public zoneOf(ordinal: number): Zone {
    return this.zones[ordinal % this.zones.length] as Zone;
  }

  public failureDomainFor(ordinal: number): FailureDomain {
    return this.zoneOf(ordinal).domain;
  }

  public leaseHostAddress(where: IConstruct, owner: string, ordinal: number): HostAttachment {
    const zone = this.zoneOf(ordinal);
    return { segment: zone.segment, lease: zone.segment.lease(where, owner) };
  }

  /** Unicast VRRP ignores L2, but ids stay unique in the VPC so that logs and captures are unambiguous. */
  public reserveRouterId(where: IConstruct, owner: string, id?: number): number {
    return this.vpcSegment.reserveRouterId(where, owner, id);
  }

  /** @internal */
  public get amiId(): string {
    if (this.props.ami) return this.props.ami;
    if (!this.ami) {
      const ami = new (aws().DataAwsAmi)(this, "DebianAmi", {
        mostRecent: true,
        owners: [DEBIAN_AMI_OWNER],
        filter: [
          { name: "name", values: ["debian-12-amd64-*"] },
          { name: "architecture", values: ["x86_64"] },
          { name: "virtualization-type", values: ["hvm"] },
          { name: "root-device-type", values: ["ebs"] },
        ],
      });
      this.ami = ami.id;
    }
    return this.ami;
  }

  /** @internal */
  public instanceTypeFor(role: string): string {
    return this.props.instanceTypes?.[role] ?? this.props.instanceType ?? "t3.small";
  }

  /** @internal The security group of a traffic group, made on first use. */
  public securityGroupFor(group: string): SecurityGroup {
    const existing = this.securityGroups.get(group);
    if (existing) return existing;
    const id = group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
    const sg = new (aws().SecurityGroup)(this.groupsScope, id, {
      namePrefix: `${this.namePrefix}-${id}-`.slice(0, 100),
      description: `cdktf-ha-topologies: hosts of ${group}`,
      vpcId: this.vpcId,
      tags: { Name: `${this.namePrefix}-${id}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroups.set(group, sg);
    // Outbound: package mirrors and the EC2 API (HTTP/HTTPS) and the VPC's DNS resolver.
    const egress: Array<[string, number, string, string]> = [
      ["tcp", 80, "0.0.0.0/0", "package mirrors"],
      ["tcp", 443, "0.0.0.0/0", "package mirrors and the AWS API"],
      ["udp", 53, this.vpcCidr, "VPC DNS resolver"],
      ["tcp", 53, this.vpcCidr, "VPC DNS resolver"],
    ];
    for (const [protocol, port, cidr, description] of egress) {
      new (aws().VpcSecurityGroupEgressRule)(sg, `Egress-${protocol}-${port}`, {
        securityGroupId: sg.id,
        ipProtocol: protocol,
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
        description,
      });
    }
    for (const cidr of this.props.sshCidrs ?? []) {
      new (aws().VpcSecurityGroupIngressRule)(sg, `Ssh-${cidr.replace(/[^0-9]+/g, "-")}`, {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: cidr,
        description: "SSH, opened by sshCidrs",
      });
    }
    return sg;
  }

  public allowTraffic(scope: Construct, rule: TrafficRule): void {
    const key = JSON.stringify([rule.toGroup, rule.protocol, rule.port, rule.fromGroup, rule.fromClients]);
    if (this.ruleKeys.has(key)) return;
    this.ruleKeys.add(key);
    const to = this.securityGroupFor(rule.toGroup);
    const ipProtocol = rule.protocol === TrafficProtocol.VRRP ? "112" : "tcp";
    const ports = rule.protocol === TrafficProtocol.TCP ? { fromPort: rule.port, toPort: rule.port } : {};
    const name = `${rule.protocol}${rule.port ?? ""}`;
    if (rule.fromClients) {
      if (rule.protocol !== TrafficProtocol.TCP || rule.port === undefined) {
        invalid(scope, "traffic rule", rule.description, "clients may reach TCP listener ports only");
      }
      for (const cidr of this.props.allowedClientCidrs ?? ["0.0.0.0/0"]) {
        new (aws().VpcSecurityGroupIngressRule)(to, `From-clients-${name}-${cidr.replace(/[^0-9]+/g, "-")}`, {
          securityGroupId: to.id,
          ipProtocol,
          ...ports,
          cidrIpv4: cidr,
          description: rule.description,
        });
      }
    }
    if (rule.fromGroup !== undefined) {
      const from = this.securityGroupFor(rule.fromGroup);
      const fromId = rule.fromGroup.replace(/[^A-Za-z0-9]+/g, "-");
      new (aws().VpcSecurityGroupIngressRule)(to, `From-${fromId}-${name}`, {
        securityGroupId: to.id,
        ipProtocol,
        ...ports,
        referencedSecurityGroupId: from.id,
        description: rule.description,
      });
      const toId = rule.toGroup.replace(/[^A-Za-z0-9]+/g, "-");
      new (aws().VpcSecurityGroupEgressRule)(from, `To-${toId}-${name}`, {
        securityGroupId: from.id,
        ipProtocol,
        ...ports,
        referencedSecurityGroupId: to.id,
        description: rule.description,
      });
    }
  }

  protected createHost(scope: Construct, id: string, spec: HostSpec): IHost {
    return new AwsHost(scope, id, this, spec);
  }

  /** The ARN of an EC2 resource in this account and region. */
  private ec2Arn(resource: string): string {
    if (!this.arnParts) {
      this.arnParts = {
        partition: new (aws().DataAwsPartition)(this, "Partition").partition,
        region: new (aws().DataAwsRegion)(this, "Region").region,
        account: new (aws().DataAwsCallerIdentity)(this, "Account").accountId,
      };
    }
    const a = this.arnParts;
    return `arn:${a.partition}:ec2:${a.region}:${a.account}:${resource}`;
  }

  /**
   * The instance role of a group of hosts, made on first use and attached to them. Each floating
   * address adds its own inline policy with exactly the calls and resources it needs.
   */
  private roleFor(scope: Construct, hosts: readonly IHost[]): IamRole {
    const group = (hosts[0] as AwsHost).spec.trafficGroup;
    const existing = this.roles.get(group);
    if (existing) return existing;
    const id = group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
    const holder = new Construct(this.rolesScope, id);
    const role = new (aws().IamRole)(holder, "Resource", {
      namePrefix: `${this.namePrefix}-vip-`.slice(0, 38),
      description: `cdktf-ha-topologies: moves the floating addresses of ${scope.node.path}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    });
    const profile = new (aws().IamInstanceProfile)(holder, "InstanceProfile", {
      namePrefix: `${this.namePrefix}-vip-`.slice(0, 38),
      role: role.name,
    });
    for (const host of hosts) (host as AwsHost).resource.iamInstanceProfile = profile.name;
    this.roles.set(group, role);
    return role;
  }

  /**
   * An NLB or ALB over every zone's subnet, cross-zone balancing on, targets registered by
   * address, health checks from the portable HealthCheck (within the limits AWS allows).
   */
  public addManagedLoadBalancer(
    scope: Construct,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding {
    const network = request.kind === ManagedLoadBalancerKind.NETWORK;
    const check = request.healthCheck;
    const notes: string[] = [];
    // AWS target-group checks: interval 5-300 s, timeout 2-120 s, thresholds 2-10.
    const interval = Math.min(300, Math.max(5, Math.ceil(check.intervalMs / 1000)));
    const timeout = Math.min(interval - 1, 120, Math.max(2, Math.ceil(check.timeoutMs / 1000)));
    const healthy = Math.min(10, Math.max(2, check.healthyThreshold));
    const unhealthy = Math.min(10, Math.max(2, check.unhealthyThreshold));
    if (interval * 1000 !== check.intervalMs || timeout * 1000 !== check.timeoutMs) {
      notes.push(
        `${scope.node.path}: AWS checks targets every ${interval} s with a ${timeout} s timeout at the fastest; the HealthCheck asked for ${check.intervalMs} ms / ${check.timeoutMs} ms`,
      );
    }
    if (check.kind === HealthCheckKind.SCRIPT) {
      invalid(
        scope,
        "healthCheck",
        "script",
        "managed load balancers check by HTTP or TCP: use HealthCheck.http() or HealthCheck.tcp()",
      );
    }
    if (!network && check.kind !== HealthCheckKind.HTTP) {
      invalid(
        scope,
        "healthCheck",
        check.kind,
        "an application load balancer checks targets by HTTP: use HealthCheck.http()",
      );
    }
    if (network && request.stickyCookie) {
      invalid(
        scope,
        "stickiness",
        request.stickyCookie,
        "cookie stickiness needs an application load balancer",
      );
    }
    const sg = this.securityGroupFor(request.trafficGroup);
    const lb = new (aws().Lb)(scope, "LoadBalancer", {
      loadBalancerType: request.kind,
      internal: false,
      subnets: this.zones.map((z) => z.subnetId),
      securityGroups: [sg.id],
      enableCrossZoneLoadBalancing: true,
      tags: { Name: `${this.namePrefix}-${scope.node.id}` },
    });
    const protocol = network ? "TCP" : "HTTP";
    const targetGroup = new (aws().LbTargetGroup)(scope, "TargetGroup", {
      port: request.targetPort,
      protocol,
      targetType: "ip",
      vpcId: this.vpcId,
      // Connections to a deregistered target drain for 30 s, not AWS's default 300 s.
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        protocol: check.kind === HealthCheckKind.HTTP ? "HTTP" : "TCP",
        ...(check.kind === HealthCheckKind.HTTP
          ? { path: check.path, matcher: String(check.expectedStatus) }
          : {}),
        port: check.port !== undefined ? String(check.port) : "traffic-port",
        interval,
        timeout,
        healthyThreshold: healthy,
        unhealthyThreshold: unhealthy,
      },
      ...(request.stickyCookie
        ? { stickiness: { type: "app_cookie", cookieName: request.stickyCookie, enabled: true } }
        : {}),
      lifecycle: { createBeforeDestroy: true },
    });
    new (aws().LbListener)(scope, "Listener", {
      loadBalancerArn: lb.arn,
      port: request.listenerPort,
      protocol,
      defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    });
    // One attachment per target address, read at synthesis so that replicas added later count.
    const targets = TerraformIterator.fromMap(
      Lazy.anyValue({
        produce: () => Object.fromEntries(request.targets().map((t) => [t.address, { port: t.port }])),
      }),
    );
    new (aws().LbTargetGroupAttachment)(scope, "Targets", {
      forEach: targets,
      targetGroupArn: targetGroup.arn,
      targetId: targets.key,
      port: Token.asNumber(targets.getNumber("port")),
    });
    this.allowTraffic(scope, {
      toGroup: request.trafficGroup,
      protocol: TrafficProtocol.TCP,
      port: request.listenerPort,
      fromClients: true,
      description: "clients to the listener",
    });
    const ports = new Set([request.targetPort, ...(check.port !== undefined ? [check.port] : [])]);
    for (const port of ports) {
      this.allowTraffic(scope, {
        toGroup: request.targetTrafficGroup,
        protocol: TrafficProtocol.TCP,
        port,
        fromGroup: request.trafficGroup,
        description: "load balancer to the targets",
      });
    }
    return {
      dnsName: lb.dnsName,
      failureDomains: this.zones.map((z) => z.domain),
      targetDetectionSeconds: interval * unhealthy,
      notes,
    };
  }

  public addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding {
    const device = this.interfaceName;
    const eniArns = (nodes: readonly IHost[]) =>
      nodes.map((n) => this.ec2Arn(`network-interface/${(n as AwsHost).resource.primaryNetworkInterfaceId}`));
    // Not measured here (no cloud in the test suite): an estimate from the EC2 API's usual latency.
    const moveSeconds = {
      seconds: 2,
      basis: "about 2 s for the EC2 API call and its propagation (an estimate; AWS documents no bound)",
    };
    const mover = (action: VipMoverAction) => [
      {
        path: moverPath(request.instance),
        content: renderVipMover({ instance: request.instance, action, attempts: 6, firstDelaySeconds: 0.2 }),
        executable: true,
      },
    ];
    const policy = (nodes: readonly IHost[], statement: Record<string, unknown>) => {
      const role = this.roleFor(scope, nodes);
      new (aws().IamRolePolicy)(scope, "MovePolicy", {
        role: role.id,
        name: `move-${request.instance}`,
        policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [statement] }),
      });
    };

    switch (request.mode) {
      case FloatingAddressMode.SECONDARY_PRIVATE_IP: {
        const zone = this.zones[0] as Zone;
        let addressOf: () => string;
        if (request.address !== undefined) {
          if (!isIpv4(request.address) || !zone.segment.contains(request.address)) {
            invalid(
              scope,
              "virtual IP address",
              request.address,
              `the secondary-private-IP mode keeps the VIP in the nodes' subnet: use an address inside ${zone.segment.name} (${zone.segment.cidr})`,
            );
          }
          zone.segment.reserve(scope, "virtual IP address", request.address, scope.node.path);
          const fixed = request.address;
          addressOf = () => fixed;
        } else {
          const lease = zone.segment.lease(scope, scope.node.path);
          addressOf = () => lease.address;
        }
        this.availability.notes.push(
          `${scope.node.path}: the secondary-private-IP mode keeps the VIP and every node in one subnet, so in one availability zone (${zone.domain.id}); use FloatingAddressMode.ROUTE_TABLE to span zones.`,
        );
        return {
          get address() {
            return addressOf();
          },
          singleFailureDomain: true,
          interfaceAddresses: () => [
            { address: addressOf(), prefixLength: zone.segment.net.prefixLength, device },
          ],
          bindAddress: () => addressOf(),
          hasMover: true,
          get nodeFiles() {
            return mover({ kind: "secondary-private-ip", address: addressOf() });
          },
          nodePackages: ["awscli", "util-linux"],
          attach: (nodes) =>
            policy(nodes, {
              Sid: "MoveSecondaryPrivateIp",
              Effect: "Allow",
              Action: ["ec2:AssignPrivateIpAddresses"],
              Resource: eniArns(nodes),
            }),
          moveSeconds,
          description: `secondary private IP re-assigned within ${zone.segment.name} (${zone.domain.id})`,
        };
      }
      case FloatingAddressMode.ROUTE_TABLE: {
        const address = request.address;
        if (address === undefined || !isIpv4(address)) {
          return invalid(
            scope,
            "virtual IP address",
            address,
            "the route-table mode needs an IPv4 address outside the VPC range",
          );
        }
        if (this.vpcSegment.contains(address)) {
          invalid(
            scope,
            "virtual IP address",
            address,
            `the route-table mode routes an address outside the VPC range ${this.vpcCidr}; use one outside it (e.g. from 100.64.0.0/10)`,
          );
        }
        if (this.routeTableIds.length === 0) {
          invalid(
            scope,
            "routeTableIds",
            [],
            "the route-table mode needs the route tables clients use: set existingNetwork.routeTableIds",
          );
        }
        return {
          address,
          singleFailureDomain: false,
          interfaceAddresses: () => [{ address, prefixLength: 32, device }],
          bindAddress: () => address,
          hasMover: true,
          nodeFiles: mover({ kind: "route-table", address, routeTableIds: this.routeTableIds }),
          nodePackages: ["awscli", "util-linux"],
          attach: (nodes) => {
            for (const n of nodes) (n as AwsHost).resource.sourceDestCheck = false;
            this.routeTableIds.forEach((table, i) => {
              new (aws().Route)(scope, `Route${i}`, {
                routeTableId: table,
                destinationCidrBlock: `${address}/32`,
                networkInterfaceId: (nodes[0] as AwsHost).resource.primaryNetworkInterfaceId,
                // keepalived moves the route; Terraform must not move it back.
                lifecycle: { ignoreChanges: ["network_interface_id"] },
              });
            });
            policy(nodes, {
              Sid: "MoveRoute",
              Effect: "Allow",
              Action: ["ec2:ReplaceRoute"],
              Resource: this.routeTableIds.map((t) => this.ec2Arn(`route-table/${t}`)),
            });
          },
          moveSeconds,
          description: `route ${address}/32 in ${this.routeTableIds.length} route table(s) pointed at the master`,
        };
      }
      case FloatingAddressMode.ELASTIC_IP: {
        if (request.address !== undefined) {
          invalid(
            scope,
            "virtual IP address",
            request.address,
            "AWS allocates the Elastic IP: leave virtualIp unset",
          );
        }
        const eip = new (aws().Eip)(scope, "ElasticIp", {
          domain: "vpc",
          tags: { Name: `${this.namePrefix}-${request.instance}` },
        });
        return {
          address: eip.publicIp,
          singleFailureDomain: false,
          // keepalived needs an address per instance: the public address on loopback is inert
          // (AWS translates it to the node's private address before packets arrive).
          interfaceAddresses: () => [{ address: eip.publicIp, prefixLength: 32, device: "lo" }],
          bindAddress: (nodeAddress) => nodeAddress,
          hasMover: true,
          nodeFiles: mover({ kind: "elastic-ip", allocationId: eip.allocationId }),
          nodePackages: ["awscli", "util-linux"],
          attach: (nodes) =>
            policy(nodes, {
              Sid: "MoveElasticIp",
              Effect: "Allow",
              Action: ["ec2:AssociateAddress"],
              Resource: [eip.arn, ...eniArns(nodes)],
            }),
          moveSeconds,
          description: "Elastic IP re-associated to the master",
        };
      }
      default:
        return invalid(
          scope,
          "addressMode",
          request.mode,
          "AWS has no gratuitous ARP: use SECONDARY_PRIVATE_IP, ROUTE_TABLE or ELASTIC_IP",
        );
    }
  }
}
