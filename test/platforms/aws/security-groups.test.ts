import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode } from "../../../lib";
import { resourcesOfType, synthJson, synthWithValidations } from "../../../lib/testing";
import { build, type Json } from "./fixture";

describe("AwsPlatform security groups", () => {
  test("opens the listener to clients, VRRP between the nodes and the backend port to the nodes only", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);
    const ingress = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")) as Json[];

    // THEN exactly three ingress rules, and only the listener is open to the world
    const summary = ingress
      .map((r) => ({
        to: r.security_group_id.match(/SecurityGroups_(.*?)_[0-9A-F]{8}/)[1],
        proto: r.ip_protocol,
        port: r.from_port,
        from: r.cidr_ipv4 ?? r.referenced_security_group_id.match(/SecurityGroups_(.*?)_[0-9A-F]{8}/)[1],
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(summary).toEqual([
      { to: "test-cloud-edge", proto: "112", port: undefined, from: "test-cloud-edge" },
      { to: "test-cloud-edge", proto: "tcp", port: 80, from: "0.0.0.0/0" },
      { to: "test-cloud-web", proto: "tcp", port: 8080, from: "test-cloud-edge" },
    ]);
    expect(ingress.filter((r) => r.from_port === 22)).toEqual([]);
  });

  test("opens SSH only to the given networks and the listener only to allowed clients", () => {
    // GIVEN
    const { stack } = build({}, { sshCidrs: ["203.0.113.0/24"], allowedClientCidrs: ["198.51.100.0/24"] });

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 22,
      cidr_ipv4: "203.0.113.0/24",
    });
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 80,
      cidr_ipv4: "198.51.100.0/24",
    });
    expect(synth).not.toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { cidr_ipv4: "0.0.0.0/0" });
  });
});
