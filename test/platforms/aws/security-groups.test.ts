import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, Token } from "cdktf";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode, Traffic } from "../../../lib";
import { resourcesOfType, synthJson, synthWithValidations } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";
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

  test("opens one flow from a list of ranges known at deploy: one rule per range, once, nothing else", () => {
    // GIVEN
    const { stack, cloud, web } = build();
    const cidrs = Token.asList(Fn.split(",", "192.0.2.0/24,198.51.100.0/24"));
    const rule = {
      toGroup: web.trafficGroup,
      traffic: Traffic.tcp(8404),
      source: "monitors",
      cidrs,
      description: "monitors to the probe port",
    };

    // WHEN asked twice
    cloud.allowTrafficFromCidrList(cloud, rule);
    cloud.allowTrafficFromCidrList(cloud, rule);
    const json = synthJson(stack);

    // THEN
    const rules = Object.entries(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter(
      ([id]) => id.includes("From-monitors"),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1]).toEqual({
      for_each: '${toset(split(",", "192.0.2.0/24,198.51.100.0/24"))}',
      security_group_id: expect.stringMatching(/cloud_SecurityGroups_test-cloud-web_/),
      ip_protocol: "tcp",
      from_port: 8404,
      to_port: 8404,
      cidr_ipv4: "${each.value}",
      description: "monitors to the probe port",
    });
  });

  test("throws for a raw IP protocol from a list of ranges", () => {
    // GIVEN
    const { cloud, web } = build();

    // WHEN / THEN
    const error = validationErrorOf(() =>
      cloud.allowTrafficFromCidrList(cloud, {
        toGroup: web.trafficGroup,
        traffic: Traffic.vrrp(),
        source: "x",
        cidrs: [],
        description: "vrrp",
      }),
    );
    expect(error.message).toMatch(/TCP or UDP ports only/);
  });
});
