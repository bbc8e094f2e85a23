export { DEBIAN_AMI_OWNER } from "./ami";
export * from "./aws-platform";
export { AwsSecret } from "./aws-secret";
export { AwsHost } from "./host";
export type { AwsExistingNetwork, AwsSubnetReference } from "./network";
