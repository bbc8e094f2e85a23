export { DEBIAN_AMI_OWNER } from "./ami";
export * from "./aws-platform";
export { AwsHost } from "./host";
export type { AwsExistingNetwork, AwsSubnetReference } from "./network";
