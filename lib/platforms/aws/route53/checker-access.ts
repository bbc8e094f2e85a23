import type { DataAwsIpRanges } from "@cdktf/provider-aws/lib/data-aws-ip-ranges";
import { Token } from "cdktf";
import type { Construct } from "constructs";
import * as ipaddr from "ipaddr.js";
import { invalid } from "../../../errors";
import { assertIpAddress, type IpFamily, ipFamily } from "../../../model/dns-text";
import type { HealthCheckedMember } from "../../health-checked-name";
import { Traffic } from "../../traffic";
import type { AwsPlatform } from "../aws-platform";
import { AwsHost } from "../host";
import { route53 } from "./provider-classes";
import { route53Holder } from "./zone";

/** Where Route 53's checkers reach a member, and what the name answers with for it. */
export interface PublicMemberAddress {
  /** The member's public address: a token for an instance's public IP, or the address given. */
  readonly address: string;
  readonly family: IpFamily;
}

const checkerRanges = new WeakMap<AwsPlatform, DataAwsIpRanges>();

/**
 * The published ranges of Route 53's health checkers (the `route53_healthchecks` service of
 * AWS's ip-ranges.json, IPv4), read once per platform by an `aws_ip_ranges` data source.
 */
function checkerRangesOf(platform: AwsPlatform): DataAwsIpRanges {
  let found = checkerRanges.get(platform);
  if (!found) {
    found = new (route53().DataAwsIpRanges)(route53Holder(platform), "CheckerRanges", {
      services: ["route53_healthchecks"],
    });
    checkerRanges.set(platform, found);
  }
  return found;
}

/**
 * The public address of a member, which Route 53's checkers probe over the internet and the
 * public name answers with. A host the platform made is reached on its instance's public IP:
 * the platform must give its hosts public addresses (`assignPublicIps`), or the check cannot
 * reach it. An address outside the platform is used as given; a literal one must be a public
 * unicast address (Route 53 does not check local, private, non-routable or multicast ones).
 */
export function publicAddressOf(
  platform: AwsPlatform,
  scope: Construct,
  member: HealthCheckedMember,
): PublicMemberAddress {
  if (member.host !== undefined) {
    if (!platform.assignPublicIps) {
      invalid(
        scope,
        "member",
        member.name,
        `Route 53's checkers probe from the internet and a public zone answers with public addresses, but the platform gives its hosts none (assignPublicIps is false, the default with existingNetwork): set assignPublicIps: true on subnets routed to an internet gateway (an address on a subnet without that route would not be reachable either)`,
      );
    }
    return { address: AwsHost.of(scope, member.host).resource.publicIp, family: 4 };
  }
  // Deploy-time addresses (an Elastic IP's public_ip) are IPv4.
  if (Token.isUnresolved(member.address)) return { address: member.address, family: 4 };
  const address = assertIpAddress(scope, `member ${member.name} address`, member.address);
  const range = ipaddr.parse(address).range();
  if (range !== "unicast") {
    invalid(
      scope,
      `member ${member.name} address`,
      address,
      `Route 53's checkers probe from the internet and cannot check a ${range} address: give a public address, or use a private zone`,
    );
  }
  return { address, family: ipFamily(address) };
}

/**
 * Lets Route 53's checkers reach a member's probe port: the member's traffic group admits the
 * checkers' published IPv4 ranges on that TCP port only (one rule per range, once per group and
 * port). Members outside the platform (no traffic group) are their owners' to open.
 */
export function admitRoute53Checkers(
  platform: AwsPlatform,
  scope: Construct,
  member: HealthCheckedMember,
  port: number,
): void {
  if (member.trafficGroup === undefined) return;
  platform.allowTrafficFromCidrList(scope, {
    toGroup: member.trafficGroup,
    traffic: Traffic.tcp(port),
    source: "route53-checkers",
    cidrs: checkerRangesOf(platform).cidrBlocks,
    description: `Route 53 health checkers (published ranges) to the probe port of ${member.trafficGroup}`,
  });
}
