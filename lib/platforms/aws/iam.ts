import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import type { IHost } from "../host";
import { AwsHost } from "./host";
import { aws } from "./provider-classes";

/** How a grant names what it makes. */
export interface AwsGrantOptions {
  /**
   * Construct id of the inline policy under the grant's scope.
   * @default "Grant"
   */
  readonly id?: string;
  /**
   * Name of the inline policy (unique per role).
   * @default - the construct id
   */
  readonly policyName?: string;
  /**
   * Sid of the policy's one statement.
   * @default - none
   */
  readonly sid?: string;
  /**
   * Word in the name prefix of the instance role and profile (`<namePrefix>-<word>-`), when this
   * grant is the first for its hosts and so makes the role.
   * @default "role"
   */
  readonly roleWord?: string;
  /**
   * What the role lets the hosts do, in its description, when this grant makes the role.
   * @default "acts for"
   */
  readonly rolePurpose?: string;
  /**
   * The statement's Condition block, e.g. `{ StringEquals: { "cloudwatch:namespace": "ns" } }`:
   * how a grant for an action without resource-level permissions (whose only resource is "*")
   * is narrowed.
   * @default - none
   */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * Instance roles, one per traffic group of hosts, each made on the first grant to its hosts
 * (as `<holder>/<traffic group>/Resource`, with its instance profile beside it as
 * `InstanceProfile`) and given to the hosts' instances. Every grant adds one inline policy with
 * exactly the actions and resources it names: no wildcard is added.
 */
export class AwsInstanceRoles {
  private readonly roles = new Map<string, { readonly role: IamRole; readonly profileName: string }>();

  constructor(
    private readonly holder: Construct,
    private readonly namePrefix: string,
  ) {}

  /**
   * Gives the instance role of `hosts` (all of one traffic group) exactly `actions` on exactly
   * `resources`, as one inline policy made under `scope`.
   */
  public grant(
    scope: Construct,
    hosts: readonly IHost[],
    actions: readonly string[],
    resources: readonly string[],
    options: AwsGrantOptions = {},
  ): IamRolePolicy {
    if (actions.length === 0 || resources.length === 0) {
      invalid(scope, "grant", { actions, resources }, "name at least one action and one resource");
    }
    if (resources.includes("*") && options.condition === undefined) {
      invalid(scope, "grant resources", resources, 'narrow a grant on "*" with a condition');
    }
    const id = options.id ?? "Grant";
    const role = this.roleFor(scope, hosts, options);
    return new (aws().IamRolePolicy)(scope, id, {
      role: role.id,
      name: options.policyName ?? id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            ...(options.sid !== undefined ? { Sid: options.sid } : {}),
            Effect: "Allow",
            Action: [...actions],
            Resource: [...resources],
            ...(options.condition !== undefined ? { Condition: options.condition } : {}),
          },
        ],
      }),
    });
  }

  /** The role of a group of hosts, made on first use; every host given gets its profile. */
  public roleFor(scope: Construct, hosts: readonly IHost[], options: AwsGrantOptions): IamRole {
    const group = hosts[0]?.spec.trafficGroup;
    if (group === undefined) return invalid(scope, "grant hosts", [], "grant to at least one host");
    const strays = hosts.filter((h) => h.spec.trafficGroup !== group).map((h) => h.node.path);
    if (strays.length > 0) {
      invalid(scope, "grant hosts", strays, `grant to hosts of one traffic group (${group}) at a time`);
    }
    let made = this.roles.get(group);
    if (!made) {
      const id = group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
      const holder = new Construct(this.holder, id);
      const namePrefix = `${this.namePrefix}-${options.roleWord ?? "role"}-`.slice(0, 38);
      const role = new (aws().IamRole)(holder, "Resource", {
        namePrefix,
        description: `cdktf-ha-topologies: ${options.rolePurpose ?? "acts for"} ${scope.node.path}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      });
      const profile = new (aws().IamInstanceProfile)(holder, "InstanceProfile", {
        namePrefix,
        role: role.name,
      });
      made = { role, profileName: profile.name };
      this.roles.set(group, made);
    }
    for (const host of hosts) AwsHost.of(scope, host).useInstanceProfile(made.profileName);
    return made.role;
  }
}
