import { optionalPeer } from "../optional-peer";

/**
 * The provider's classes, loaded when the AWS platform is first used (see optionalPeer), each by
 * its deep path: loading the package's root costs seconds.
 */
export const aws = optionalPeer("@cdktf/provider-aws", () => ({
  DataAwsAmi: (
    require("@cdktf/provider-aws/lib/data-aws-ami") as typeof import("@cdktf/provider-aws/lib/data-aws-ami")
  ).DataAwsAmi,
  DataAwsSecretsmanagerRandomPassword: (
    require("@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password") as typeof import("@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password")
  ).DataAwsSecretsmanagerRandomPassword,
  DataAwsAvailabilityZones: (
    require("@cdktf/provider-aws/lib/data-aws-availability-zones") as typeof import("@cdktf/provider-aws/lib/data-aws-availability-zones")
  ).DataAwsAvailabilityZones,
  DataAwsCallerIdentity: (
    require("@cdktf/provider-aws/lib/data-aws-caller-identity") as typeof import("@cdktf/provider-aws/lib/data-aws-caller-identity")
  ).DataAwsCallerIdentity,
  DataAwsPartition: (
    require("@cdktf/provider-aws/lib/data-aws-partition") as typeof import("@cdktf/provider-aws/lib/data-aws-partition")
  ).DataAwsPartition,
  DataAwsRegion: (
    require("@cdktf/provider-aws/lib/data-aws-region") as typeof import("@cdktf/provider-aws/lib/data-aws-region")
  ).DataAwsRegion,
  DbInstance: (
    require("@cdktf/provider-aws/lib/db-instance") as typeof import("@cdktf/provider-aws/lib/db-instance")
  ).DbInstance,
  DbSubnetGroup: (
    require("@cdktf/provider-aws/lib/db-subnet-group") as typeof import("@cdktf/provider-aws/lib/db-subnet-group")
  ).DbSubnetGroup,
  EbsVolume: (
    require("@cdktf/provider-aws/lib/ebs-volume") as typeof import("@cdktf/provider-aws/lib/ebs-volume")
  ).EbsVolume,
  Eip: (require("@cdktf/provider-aws/lib/eip") as typeof import("@cdktf/provider-aws/lib/eip")).Eip,
  IamInstanceProfile: (
    require("@cdktf/provider-aws/lib/iam-instance-profile") as typeof import("@cdktf/provider-aws/lib/iam-instance-profile")
  ).IamInstanceProfile,
  IamRole: (require("@cdktf/provider-aws/lib/iam-role") as typeof import("@cdktf/provider-aws/lib/iam-role"))
    .IamRole,
  IamRolePolicy: (
    require("@cdktf/provider-aws/lib/iam-role-policy") as typeof import("@cdktf/provider-aws/lib/iam-role-policy")
  ).IamRolePolicy,
  Instance: (require("@cdktf/provider-aws/lib/instance") as typeof import("@cdktf/provider-aws/lib/instance"))
    .Instance,
  InternetGateway: (
    require("@cdktf/provider-aws/lib/internet-gateway") as typeof import("@cdktf/provider-aws/lib/internet-gateway")
  ).InternetGateway,
  Lb: (require("@cdktf/provider-aws/lib/lb") as typeof import("@cdktf/provider-aws/lib/lb")).Lb,
  LbListener: (
    require("@cdktf/provider-aws/lib/lb-listener") as typeof import("@cdktf/provider-aws/lib/lb-listener")
  ).LbListener,
  LbTargetGroup: (
    require("@cdktf/provider-aws/lib/lb-target-group") as typeof import("@cdktf/provider-aws/lib/lb-target-group")
  ).LbTargetGroup,
  LbTargetGroupAttachment: (
    require("@cdktf/provider-aws/lib/lb-target-group-attachment") as typeof import("@cdktf/provider-aws/lib/lb-target-group-attachment")
  ).LbTargetGroupAttachment,
  RdsCluster: (
    require("@cdktf/provider-aws/lib/rds-cluster") as typeof import("@cdktf/provider-aws/lib/rds-cluster")
  ).RdsCluster,
  RdsClusterInstance: (
    require("@cdktf/provider-aws/lib/rds-cluster-instance") as typeof import("@cdktf/provider-aws/lib/rds-cluster-instance")
  ).RdsClusterInstance,
  Route: (require("@cdktf/provider-aws/lib/route") as typeof import("@cdktf/provider-aws/lib/route")).Route,
  RouteTable: (
    require("@cdktf/provider-aws/lib/route-table") as typeof import("@cdktf/provider-aws/lib/route-table")
  ).RouteTable,
  RouteTableAssociation: (
    require("@cdktf/provider-aws/lib/route-table-association") as typeof import("@cdktf/provider-aws/lib/route-table-association")
  ).RouteTableAssociation,
  SecretsmanagerSecret: (
    require("@cdktf/provider-aws/lib/secretsmanager-secret") as typeof import("@cdktf/provider-aws/lib/secretsmanager-secret")
  ).SecretsmanagerSecret,
  SecretsmanagerSecretVersion: (
    require("@cdktf/provider-aws/lib/secretsmanager-secret-version") as typeof import("@cdktf/provider-aws/lib/secretsmanager-secret-version")
  ).SecretsmanagerSecretVersion,
  SecurityGroup: (
    require("@cdktf/provider-aws/lib/security-group") as typeof import("@cdktf/provider-aws/lib/security-group")
  ).SecurityGroup,
  Subnet: (require("@cdktf/provider-aws/lib/subnet") as typeof import("@cdktf/provider-aws/lib/subnet"))
    .Subnet,
  VolumeAttachment: (
    require("@cdktf/provider-aws/lib/volume-attachment") as typeof import("@cdktf/provider-aws/lib/volume-attachment")
  ).VolumeAttachment,
  Vpc: (require("@cdktf/provider-aws/lib/vpc") as typeof import("@cdktf/provider-aws/lib/vpc")).Vpc,
  VpcSecurityGroupEgressRule: (
    require("@cdktf/provider-aws/lib/vpc-security-group-egress-rule") as typeof import("@cdktf/provider-aws/lib/vpc-security-group-egress-rule")
  ).VpcSecurityGroupEgressRule,
  VpcSecurityGroupIngressRule: (
    require("@cdktf/provider-aws/lib/vpc-security-group-ingress-rule") as typeof import("@cdktf/provider-aws/lib/vpc-security-group-ingress-rule")
  ).VpcSecurityGroupIngressRule,
}));
