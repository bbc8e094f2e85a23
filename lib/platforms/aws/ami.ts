import type { Construct } from "constructs";
import { aws } from "./provider-classes";

/** Debian's AWS account, owner of the official Debian AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";

/**
 * The id of the newest official Debian 12 amd64 AMI, found by an aws_ami data source made as
 * `DebianAmi` under `scope`. Call it once per platform.
 */
export function debianAmi(scope: Construct): string {
  return new (aws().DataAwsAmi)(scope, "DebianAmi", {
    mostRecent: true,
    owners: [DEBIAN_AMI_OWNER],
    filter: [
      { name: "name", values: ["debian-12-amd64-*"] },
      { name: "architecture", values: ["x86_64"] },
      { name: "virtualization-type", values: ["hvm"] },
      { name: "root-device-type", values: ["ebs"] },
    ],
  }).id;
}
