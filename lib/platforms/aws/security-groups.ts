import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { TerraformIterator } from "cdktf";
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { type Traffic, type TrafficRule, TrafficSourceKind, TrafficTransport } from "../traffic";
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

/** Traffic to a group from every range of a list known only at deploy (a data source's). */
export interface CidrListRule {
  /** Traffic group (HostSpec.trafficGroup) of the receiving hosts. */
  readonly toGroup: string;
  readonly traffic: Traffic;
  /** A word naming the senders in construct ids, e.g. "route53-checkers". */
  readonly source: string;
  /** The ranges: a list token, e.g. `aws_ip_ranges.cidr_blocks`. */
  readonly cidrs: string[];
  readonly description: string;
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

  /**
   * Opens one flow from every range of a list known only at deploy: one ingress rule per range
   * (`for_each` over the list), once per group, traffic and source however often it is asked
   * for. Only the rule's own protocol and ports are opened.
   */
  public allowFromCidrList(scope: Construct, rule: CidrListRule): void {
    if (rule.traffic.transport === TrafficTransport.IP_PROTOCOL) {
      invalid(scope, "traffic rule", rule.description, "ranges from a list may reach TCP or UDP ports only");
    }
    rule.traffic.validate(scope);
    const key = JSON.stringify([rule.toGroup, rule.traffic.label, "cidr-list", rule.source]);
    if (this.ruleKeys.has(key)) return;
    this.ruleKeys.add(key);
    const to = this.groupFor(rule.toGroup);
    const { name, flow } = flowOf(rule.traffic);
    const ranges = TerraformIterator.fromList(rule.cidrs);
    new (aws().VpcSecurityGroupIngressRule)(to, `From-${idOf(rule.source)}-${name}`, {
      forEach: ranges,
      securityGroupId: to.id,
      ...flow,
      cidrIpv4: ranges.value,
      description: rule.description,
    });
  }

  /** Opens one flow (once, however often it is asked for). `scope` names a bad rule's owner. */
  public allow(scope: Construct, rule: TrafficRule): void {
    rule.traffic.validate(scope);
    rule.from.validate(scope);
    const key = JSON.stringify([rule.toGroup, rule.traffic.label, rule.from.kind, rule.from.value]);
    if (this.ruleKeys.has(key)) return;
    this.ruleKeys.add(key);
    const to = this.groupFor(rule.toGroup);
    const { name, flow } = flowOf(rule.traffic);
    const from = rule.from;
    if (from.kind === TrafficSourceKind.CLIENTS || from.kind === TrafficSourceKind.CIDR) {
      if (
        from.kind === TrafficSourceKind.CLIENTS &&
        rule.traffic.transport === TrafficTransport.IP_PROTOCOL
      ) {
        invalid(scope, "traffic rule", rule.description, "clients may reach TCP or UDP listener ports only");
      }
      const cidrs = from.kind === TrafficSourceKind.CLIENTS ? this.props.allowedClientCidrs : [from.value];
      const word = from.kind === TrafficSourceKind.CLIENTS ? "clients" : "cidr";
      for (const cidr of cidrs) {
        new (aws().VpcSecurityGroupIngressRule)(to, `From-${word}-${name}-${cidr.replace(/[^0-9]+/g, "-")}`, {
          securityGroupId: to.id,
          ...flow,
          cidrIpv4: cidr,
          description: rule.description,
        });
      }
      return;
    }
    const source = this.groupFor(from.value);
    new (aws().VpcSecurityGroupIngressRule)(to, `From-${idOf(from.value)}-${name}`, {
      securityGroupId: to.id,
      ...flow,
      referencedSecurityGroupId: source.id,
      description: rule.description,
    });
    new (aws().VpcSecurityGroupEgressRule)(source, `To-${idOf(rule.toGroup)}-${name}`, {
      securityGroupId: source.id,
      ...flow,
      referencedSecurityGroupId: to.id,
      description: rule.description,
    });
  }
}

/** A rule's id part ("tcp8080", "udp53", "tcp30000-30100", "vrrp") and its protocol and ports. */
function flowOf(traffic: Traffic): {
  name: string;
  flow: { ipProtocol: string; fromPort?: number; toPort?: number };
} {
  if (traffic.transport === TrafficTransport.IP_PROTOCOL) {
    return { name: traffic.label, flow: { ipProtocol: String(traffic.protocolNumber) } };
  }
  const ports =
    traffic.fromPort === traffic.toPort ? `${traffic.fromPort}` : `${traffic.fromPort}-${traffic.toPort}`;
  return {
    name: `${traffic.transport}${ports}`,
    flow: { ipProtocol: traffic.transport, fromPort: traffic.fromPort, toPort: traffic.toPort },
  };
}
