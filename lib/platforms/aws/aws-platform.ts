import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct, type IConstruct } from "constructs";
import { invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { assertName } from "../../model/config-text";
import type { HostAttachment, HostSpec } from "../../model/host-spec";
import { parseIpv4Cidr } from "../../model/ipam";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
} from "../floating-address";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { IHost } from "../host";
import {
  type ManagedDatabaseBinding,
  ManagedDatabaseKind,
  type ManagedDatabaseRequest,
} from "../managed-database";
import {
  type ManagedLoadBalancerBinding,
  ManagedLoadBalancerKind,
  type ManagedLoadBalancerRequest,
} from "../managed-load-balancer";
import { Platform } from "../platform";
import { type ISecret, ownSecret, type SecretOptions } from "../secret";
import type { ISegment } from "../segment";
import type { TrafficRule } from "../traffic";
import type { PlatformTraits } from "../traits";
import { debianAmi } from "./ami";
import { AwsSecret } from "./aws-secret";
import { assertEc2Id, assertInstanceType, assertKeyName } from "./cloud-ids";
import { awsFloatingAddress } from "./floating-address/floating-address";
import type { AwsFloatingAddressContext } from "./floating-address/mode";
import { AwsHost } from "./host";
import { awsHostStorage } from "./host-storage";
import { type AwsGrantOptions, AwsInstanceRoles } from "./iam";
import { awsManagedDatabase } from "./managed-database";
import { awsManagedLoadBalancer } from "./managed-load-balancer";
import { type AwsExistingNetwork, type AwsNetwork, type AwsZone, awsNetwork } from "./network";
import { addRoute53Name } from "./route53-names";
import { AwsSecurityGroups, type CidrListRule } from "./security-groups";
import { AwsVpcSegment } from "./vpc-segment";

/** The host roles that run on EC2 instances. */
export type AwsHostRole = "load-balancer" | "backend";

/** Host roles whose instance type can be set apart. */
export const AWS_HOST_ROLES: readonly AwsHostRole[] = ["load-balancer", "backend"];

/** Instance type per host role. */
export type AwsInstanceTypes = { readonly [role in AwsHostRole]?: string };

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
   * Instance type per host role, overriding `instanceType`; an unknown role is refused.
   * @default - `instanceType` for every role
   */
  readonly instanceTypes?: AwsInstanceTypes;
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
   * Prefix of resource names and Name tags; unique among the AWS platforms of a stack.
   * @default - the stack's name; for a second AWS platform in the stack, `<stack>-<platform id>`
   */
  readonly namePrefix?: string;
  /**
   * Name of the hosts' network interface as Debian 12 names it.
   * @default "ens5" - the name of the first ENA interface on Nitro instances
   */
  readonly interfaceName?: string;
}

/**
 * AWS as a target: a VPC with one subnet per availability zone (or an existing one), EC2
 * instances from the official Debian 12 AMI configured by cloud-init, security groups opened
 * exactly for the flows topologies declare, and floating addresses moved through the EC2 API by
 * a script that only an instance role scoped to those calls and resources may run.
 *
 * Zones are the failure domains: hosts of a group are spread over them in turn. The concerns
 * live beside this file: network.ts, host.ts and user-data.ts, security-groups.ts, iam.ts,
 * managed-load-balancer.ts, one file per floating-address mode under floating-address/,
 * route53-names.ts with its parts under route53/ (zones, checks, records, checker access), and
 * aws-secret.ts and host-storage.ts (Secrets Manager secrets, EBS volumes, their boot service).
 */
export class AwsPlatform extends Platform {
  public readonly platformName = "aws";
  public readonly traits: PlatformTraits = {
    multicast: false,
    floatingAddressModes: [
      FloatingAddressMode.SECONDARY_PRIVATE_IP,
      FloatingAddressMode.ROUTE_TABLE,
      FloatingAddressMode.ELASTIC_IP,
    ],
    managedLoadBalancers: [ManagedLoadBalancerKind.NETWORK, ManagedLoadBalancerKind.APPLICATION],
    managedDatabases: [
      ManagedDatabaseKind.MULTI_AZ_INSTANCE,
      ManagedDatabaseKind.MULTI_AZ_CLUSTER,
      ManagedDatabaseKind.AURORA,
    ],
    filtersTraffic: true,
    routesBetweenSegments: true,
    healthCheckedNames: {
      selfHostedServers: false,
      maxHealthyAnswers: 8,
      checkIntervalsMs: [10_000, 30_000],
    },
    bgpEcmp: false,
    kernelL4: true,
  };
  /** The hosts' primary interface name. */
  public readonly interfaceName: string;
  /** The VPC, one subnet per zone. */
  public readonly defaultSegment: ISegment;
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
  private readonly network: AwsNetwork;
  private readonly securityGroups: AwsSecurityGroups;
  private readonly floatingAddresses: AwsFloatingAddressContext;
  private ami?: string;
  private readonly secrets = new Map<string, AwsSecret>();
  /** Traffic groups and secrets (`<group> <secret path>`) already granted. */
  private readonly secretReads = new Set<string>();

  constructor(scope: Construct, id: string, props: AwsPlatformProps = {}) {
    super(scope, id);
    this.props = props;
    this.namePrefix = this.claimNamePrefix(props.namePrefix);
    this.interfaceName = assertName(this, "interfaceName", props.interfaceName ?? "ens5");
    this.keyName = props.keyName === undefined ? undefined : assertKeyName(this, "keyName", props.keyName);
    if (props.ami !== undefined) assertEc2Id(this, "ami", props.ami, "ami");
    if (props.instanceType !== undefined) assertInstanceType(this, "instanceType", props.instanceType);
    for (const [role, type] of Object.entries(props.instanceTypes ?? {})) {
      if (!(AWS_HOST_ROLES as readonly string[]).includes(role)) {
        invalid(this, "instanceTypes key", role, `use one of the host roles ${AWS_HOST_ROLES.join(", ")}`);
      }
      assertInstanceType(this, `instanceTypes.${role}`, type as string);
    }
    for (const cidr of [...(props.allowedClientCidrs ?? []), ...(props.sshCidrs ?? [])]) {
      parseIpv4Cidr(this, "CIDR", cidr, 0, 32);
    }
    // The holders first: their resources come before the network's in the synthesized JSON.
    const groupsScope = new Construct(this, "SecurityGroups");
    const rolesScope = new Construct(this, "Roles");
    this.availability.addPlatform("aws", this.node.path);
    this.network = awsNetwork(this, this.namePrefix, this.availability, props);
    this.vpcId = this.network.vpcId;
    this.vpcCidr = this.network.vpcCidr;
    this.assignPublicIps = this.network.assignPublicIps;
    this.securityGroups = new AwsSecurityGroups(groupsScope, {
      namePrefix: this.namePrefix,
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      sshCidrs: props.sshCidrs ?? [],
      allowedClientCidrs: props.allowedClientCidrs ?? ["0.0.0.0/0"],
    });
    this.defaultSegment = new AwsVpcSegment(this, this.network, this.namePrefix);
    this.floatingAddresses = {
      network: this.network,
      namePrefix: this.namePrefix,
      availability: this.availability,
      roles: new AwsInstanceRoles(rolesScope, this.namePrefix),
    };
  }

  /** The zones, in placement order. */
  public get failureDomains(): readonly FailureDomain[] {
    return this.network.zones.map((z) => z.domain);
  }

  /**
   * One segment only: the VPC with a subnet per zone. Further segments would need extra network
   * interfaces per instance, which the platform does not make.
   */
  public addSegment(id: string): ISegment {
    return invalid(
      this,
      "segment",
      id,
      "the AWS platform has one segment, its VPC with one subnet per zone: attach hosts to defaultSegment",
    );
  }

  public attachHost(
    where: IConstruct,
    owner: string,
    segment: ISegment,
    domain: FailureDomain,
    position: number,
  ): HostAttachment {
    if (segment !== this.defaultSegment) {
      invalid(where, "segment", segment.segmentId, `attach hosts to ${this.defaultSegment.segmentId}`);
    }
    if (position !== 0) {
      invalid(
        where,
        "attachment",
        position,
        "AWS hosts have one network interface here: one attachment each",
      );
    }
    const addresses = this.defaultSegment.addressesIn(domain);
    return {
      segmentId: segment.segmentId,
      segment: addresses,
      lease: addresses.lease(where, owner),
      interfaceName: this.interfaceName,
    };
  }

  /** The zone of a failure domain. */
  private zoneOf(domain: FailureDomain): AwsZone {
    return this.network.zones.find((z) => z.domain.id === domain.id) as AwsZone;
  }

  /** @internal */
  public get amiId(): string {
    if (this.props.ami) return this.props.ami;
    this.ami ??= debianAmi(this);
    return this.ami;
  }

  /** @internal */
  public instanceTypeFor(role: string): string {
    return this.props.instanceTypes?.[role as AwsHostRole] ?? this.props.instanceType ?? "t3.small";
  }

  /** @internal The hosts' instance roles (one per traffic group), for grants. */
  public get instanceRoles(): AwsInstanceRoles {
    return this.floatingAddresses.roles;
  }

  /** @internal The security group of a traffic group, made on first use. */
  public securityGroupFor(group: string): SecurityGroup {
    return this.securityGroups.groupFor(group);
  }

  public allowTraffic(scope: Construct, rule: TrafficRule): void {
    this.securityGroups.allow(scope, rule);
  }

  /** @internal Opens a flow from every range of a list known at deploy (see AwsSecurityGroups). */
  public allowTrafficFromCidrList(scope: Construct, rule: CidrListRule): void {
    this.securityGroups.allowFromCidrList(scope, rule);
  }

  /**
   * A Secrets Manager secret under `scope`/`id` (name `<namePrefix>/<id>-…`), its value generated
   * by Secrets Manager at deploy time (letters and digits): see AwsSecret.
   */
  public addSecret(scope: Construct, id: string, options: SecretOptions = {}): ISecret {
    const secret = new AwsSecret(scope, id, this.namePrefix, options);
    this.secrets.set(secret.secretId, secret);
    return secret;
  }

  /**
   * Allows `hosts` (one traffic group) exactly `actions` on exactly `resources` (concrete ARNs;
   * "*" only with `options.condition`) through their instance role: one inline policy, made
   * under `scope` as `id`.
   */
  public grant(
    scope: Construct,
    id: string,
    hosts: readonly IHost[],
    actions: readonly string[],
    resources: readonly string[],
    options: Omit<AwsGrantOptions, "id"> = {},
  ): IamRolePolicy {
    for (const action of actions) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
        invalid(
          scope,
          "grant action",
          action,
          'name one action without wildcards, e.g. "secretsmanager:GetSecretValue"',
        );
      }
    }
    for (const r of resources) {
      if (r !== "*" && !r.startsWith("arn:") && !r.includes("${TfToken[")) {
        invalid(scope, "grant resource", r, 'give an ARN ("arn:…", or a resource\'s `arn` attribute)');
      }
    }
    return this.instanceRoles.grant(scope, hosts, actions, resources, { ...options, id });
  }

  /** Lets a host read a secret: one policy per traffic group and secret, on its ARN only. */
  private grantSecretRead(host: AwsHost, secret: AwsSecret): void {
    const group = host.spec.trafficGroup;
    const key = `${group} ${secret.secretId}`;
    if (this.secretReads.has(key)) {
      this.instanceRoles.roleFor(secret, [host], {});
      return;
    }
    this.secretReads.add(key);
    this.instanceRoles.grant(secret, [host], ["secretsmanager:GetSecretValue"], [secret.arn], {
      id: `ReadBy-${group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
      policyName: `read-secret-${secret.node.addr.slice(0, 16)}`,
      rolePurpose: "reads secrets for",
    });
  }

  protected createHost(scope: Construct, id: string, spec: HostSpec): IHost {
    const zone = this.zoneOf(spec.failureDomain);
    const host = new AwsHost(scope, id, spec, {
      ami: this.amiId,
      instanceType: this.instanceTypeFor(spec.role),
      subnetId: zone.subnetId,
      securityGroupId: this.securityGroupFor(spec.trafficGroup).id,
      assignPublicIp: this.assignPublicIps,
      ...(this.keyName ? { keyName: this.keyName } : {}),
      name: `${this.namePrefix}-${spec.hostname}`,
    });
    awsHostStorage(host, spec, {
      zoneName: zone.name,
      namePrefix: this.namePrefix,
      secretOf: (where, secretId) => ownSecret(where, this.secrets, secretId, this.node.path),
      grantRead: (h, secret) => this.grantSecretRead(h, secret),
    });
    return host;
  }

  /**
   * A Route 53 name: a hosted zone (made once per zone name, or an existing one), an
   * `aws_route53_health_check` per member probed from Route 53's checker locations over the
   * member's public address, multivalue answer records tied to the checks, and the members'
   * security groups opened to the checkers' published ranges on the probe port only.
   */
  public addHealthCheckedName(
    scope: Construct,
    id: string,
    request: HealthCheckedNameRequest,
  ): HealthCheckedNameBinding {
    return addRoute53Name(this, scope, id, request);
  }

  /**
   * An NLB or ALB over every zone's subnet, cross-zone balancing on, targets registered by
   * address, health checks from the portable HealthCheck (within the limits AWS allows).
   */
  public addManagedLoadBalancer(
    scope: Construct,
    id: string,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding {
    return awsManagedLoadBalancer(
      { network: this.network, namePrefix: this.namePrefix, securityGroups: this.securityGroups },
      scope,
      id,
      request,
    );
  }

  /**
   * An RDS Multi-AZ DB instance, Multi-AZ DB cluster or Aurora PostgreSQL over every zone's
   * subnet, its master password kept by RDS in Secrets Manager, encrypted, backed up, protected
   * from deletion unless asked, open only to the client traffic groups on its port.
   */
  public addManagedDatabase(
    scope: Construct,
    id: string,
    request: ManagedDatabaseRequest,
  ): ManagedDatabaseBinding {
    return awsManagedDatabase(
      { network: this.network, namePrefix: this.namePrefix, securityGroups: this.securityGroups },
      scope,
      id,
      request,
    );
  }

  public addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding {
    return awsFloatingAddress(this.floatingAddresses, scope, request);
  }
}
