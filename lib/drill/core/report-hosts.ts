/** The containers of a stack that are the members of one of its report's groups. */
import { DrillError } from "./drill-error";
import type { DrillContainer, DrillStack } from "./stack";
import type { ReportGroupLike } from "./stack-report";

/** A group member as a container of the stack. */
export interface ReportHost {
  readonly container: DrillContainer;
  readonly hostname: string;
  readonly address: string;
}

/**
 * Each member of `group` (a construct path) as the container made for it, in the group's order;
 * throws a DrillError at `where` for an empty group or a member that is no container.
 */
export function reportHosts(stack: DrillStack, group: ReportGroupLike, where: string): ReportHost[] {
  const members = group.members ?? [];
  if (members.length === 0) throw new DrillError(`${where}: group ${group.id} has no members`);
  return members.map((m) => {
    const container = stack.containers.find(
      (c) => c.constructPath === m || (c.constructPath ?? "").startsWith(`${m}/`),
    );
    if (!container) throw new DrillError(`${where}: ${m} is not a container of the stack`);
    return { container, hostname: container.hostname, address: container.address };
  });
}
