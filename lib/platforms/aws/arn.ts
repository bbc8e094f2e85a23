import { Fn } from "cdktf";

/**
 * The ARN of another resource of the same service, account and region as the resource whose ARN
 * is `arn`: its first five fields (`arn:partition:service:region:account`) and `resource`, e.g.
 * "network-interface/eni-1".
 *
 * The parts come from a resource's own ARN, not from data sources: the aws_region data source
 * names the region `region` in provider 6.x and `name` in 5.x (deprecated in 6.x), so an ARN
 * assembled from it fits only one provider line, and three data sources cost three reads.
 */
export function arnBeside(arn: string, resource: string): string {
  return `${Fn.join(":", Fn.slice(Fn.split(":", arn), 0, 5))}:${resource}`;
}
