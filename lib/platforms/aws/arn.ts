import type { Construct } from "constructs";
import { aws } from "./provider-classes";

/**
 * ARNs of EC2 resources in the stack's account and region, from data sources made once as
 * `Partition`, `Region` and `Account` under `scope` (the platform) on first use.
 */
export class Ec2Arns {
  private parts?: { partition: string; region: string; account: string };

  constructor(private readonly scope: Construct) {}

  /** The ARN of `resource`, e.g. "network-interface/eni-1". */
  public of(resource: string): string {
    if (!this.parts) {
      this.parts = {
        partition: new (aws().DataAwsPartition)(this.scope, "Partition").partition,
        region: new (aws().DataAwsRegion)(this.scope, "Region").region,
        account: new (aws().DataAwsCallerIdentity)(this.scope, "Account").accountId,
      };
    }
    const a = this.parts;
    return `arn:${a.partition}:ec2:${a.region}:${a.account}:${resource}`;
  }
}
