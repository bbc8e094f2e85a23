import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { assertConstructId } from "../../model/config-text";
import { type ISecret, type SecretOptions, secretDescription, secretLength } from "../secret";
import { aws } from "./provider-classes";

/**
 * A secret on AWS: a Secrets Manager secret whose first version holds a password of letters and
 * digits that Secrets Manager itself generated (the `aws_secretsmanager_random_password` data
 * source), so the stack needs no provider beside hashicorp/aws and the synthesized JSON holds
 * only a reference. The data source draws a new password at every plan: the version ignores
 * changes to its value, so the first password stays until someone rotates it. (Terraform's state
 * holds the value, as it holds a `random_password`'s: keep the state encrypted.)
 *
 * Hosts that receive it as a file fetch it at boot through their instance role, which the
 * platform allows `secretsmanager:GetSecretValue` on exactly this secret's ARN.
 */
export class AwsSecret extends Construct implements ISecret {
  public readonly secretId: string;
  public readonly length: number;
  /** The secret. */
  public readonly resource: SecretsmanagerSecret;

  /** @internal */
  constructor(scope: Construct, id: string, namePrefix: string, options: SecretOptions = {}) {
    super(scope, assertConstructId(scope, id));
    this.secretId = this.node.path;
    this.length = secretLength(this, options);
    this.resource = new (aws().SecretsmanagerSecret)(this, "Resource", {
      namePrefix: `${namePrefix}/${id}-`,
      description: secretDescription(this, options),
    });
    const generated = new (aws().DataAwsSecretsmanagerRandomPassword)(this, "Generated", {
      passwordLength: this.length,
      excludePunctuation: true,
      includeSpace: false,
      requireEachIncludedType: true,
    });
    new (aws().SecretsmanagerSecretVersion)(this, "Value", {
      secretId: this.resource.id,
      secretString: generated.randomPassword,
      lifecycle: { ignoreChanges: ["secret_string"] },
    });
  }

  /** The secret's ARN (what grants name). */
  public get arn(): string {
    return this.resource.arn;
  }
}
