import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { TrafficProtocol, type TrafficRule } from "../platform";
import { aws } from "./provider-classes";

/** What the security groups need to know of the platform. */
export interface AwsSecurityGroupsProps {
  readonly namePrefix: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Networks allowed to reach SSH on every host. */
  readonly sshCidrs: readonly string[];
  /** Networks allowed to reach the listener ports. */
  readonly allowedClientCidrs: readonly string[];
}

/** A construct id from a traffic group's name. */
function idOf(group: string): string {
  return group.replace(/[^A-Za-z0-9]+/g, "-");
}

/** Outbound: package mirrors and the EC2 API (HTTP/HTTPS) and the VPC's DNS resolver. */
function egressOf(vpcCidr: string): Array<[string, number, string, string]> {
  return [
    ["tcp", 80, "0.0.0.0/0", "package mirrors"],
    ["tcp", 443, "0.0.0.0/0", "package mirrors and the AWS API"],
    ["udp", 53, vpcCidr, "VPC DNS resolver"],
    ["tcp", 53, vpcCidr, "VPC DNS resolver"],
  ];
}

/**
 * Traffic intent as security groups: one group per traffic group (made on first use, as a
 * child of `holder` named after the traffic group), opened exactly for the declared flows, plus
 * outbound HTTP(S) and DNS and, where asked, SSH.
 */
export class AwsSecurityGroups {
  private readonly groups = new Map<string, SecurityGroup>();
  private readonly ruleKeys = new Set<string>();

  constructor(
    private readonly holder: Construct,
    private readonly props: AwsSecurityGroupsProps,
  ) {}

  /** The security group of a traffic group, made on first use. */
  public groupFor(group: string): SecurityGroup {
    const existing = this.groups.get(group);
    if (existing) return existing;
    const { namePrefix } = this.props;
    const id = idOf(group).replace(/^-|-$/g, "");
    const sg = new (aws().SecurityGroup)(this.holder, id, {
      namePrefix: `${namePrefix}-${id}-`.slice(0, 100),
      description: `cdktf-ha-topologies: hosts of ${group}`,
      vpcId: this.props.vpcId,
      tags: { Name: `${namePrefix}-${id}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.groups.set(group, sg);
    for (const [protocol, port, cidr, description] of egressOf(this.props.vpcCidr)) {
      new (aws().VpcSecurityGroupEgressRule)(sg, `Egress-${protocol}-${port}`, {
        securityGroupId: sg.id,
        ipProtocol: protocol,
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
        description,
      });
    }
    for (const cidr of this.props.sshCidrs) {
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

  /** Opens one flow (once, however often it is asked for). `scope` names a bad rule's owner. */
  public allow(scope: Construct, rule: TrafficRule): void {
    const key = JSON.stringify([rule.toGroup, rule.protocol, rule.port, rule.fromGroup, rule.fromClients]);
    if (this.ruleKeys.has(key)) return;
    this.ruleKeys.add(key);
    const to = this.groupFor(rule.toGroup);
    const name = `${rule.protocol}${rule.port ?? ""}`;
    const flow = {
      ipProtocol: rule.protocol === TrafficProtocol.VRRP ? "112" : "tcp",
      ...(rule.protocol === TrafficProtocol.TCP ? { fromPort: rule.port, toPort: rule.port } : {}),
    };
    if (rule.fromClients) {
      if (rule.protocol !== TrafficProtocol.TCP || rule.port === undefined) {
        invalid(scope, "traffic rule", rule.description, "clients may reach TCP listener ports only");
      }
      for (const cidr of this.props.allowedClientCidrs) {
        new (aws().VpcSecurityGroupIngressRule)(to, `From-clients-${name}-${cidr.replace(/[^0-9]+/g, "-")}`, {
          securityGroupId: to.id,
          ...flow,
          cidrIpv4: cidr,
          description: rule.description,
        });
      }
    }
    if (rule.fromGroup !== undefined) {
      const from = this.groupFor(rule.fromGroup);
      new (aws().VpcSecurityGroupIngressRule)(to, `From-${idOf(rule.fromGroup)}-${name}`, {
        securityGroupId: to.id,
        ...flow,
        referencedSecurityGroupId: from.id,
        description: rule.description,
      });
      new (aws().VpcSecurityGroupEgressRule)(from, `To-${idOf(rule.toGroup)}-${name}`, {
        securityGroupId: from.id,
        ...flow,
        referencedSecurityGroupId: to.id,
        description: rule.description,
      });
    }
  }
}
