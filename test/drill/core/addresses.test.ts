import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkDrillAddresses, freeAddress } from "../../../lib/drill/core/addresses";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { caught } from "../../support/errors";
import { copyOf, type SynthesizedExample, synthesizeDrillExample } from "../fixture";

type Doc = { resource: Record<string, Record<string, Record<string, unknown>>> };

describe("the drill's addresses on the synthesized drill example", () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeDrillExample();
  });
  afterAll(() => example?.remove());

  test("accepts the drill example's addresses and throws for 172.30.0.0/24 unless allowed", () => {
    // GIVEN the drill example, and the same stack moved to 172.30.0.0/24
    const stack = parseDockerStack(example.document);
    const doc = copyOf(example.document) as Doc;
    const network = Object.values(doc.resource.docker_network ?? {})[0] as {
      ipam_config: { subnet: string; gateway: string }[];
    };
    network.ipam_config = [{ subnet: "172.30.0.0/16", gateway: "172.30.0.1" }];
    for (const c of Object.values(doc.resource.docker_container ?? {})) {
      const att = (c as { networks_advanced: { ipv4_address: string }[] }).networks_advanced[0] as {
        ipv4_address: string;
      };
      att.ipv4_address = att.ipv4_address.replace("198.18.", "172.30.");
    }
    const other = parseDockerStack(doc);

    // WHEN the drill's address rule is applied
    // THEN 198.18.0.0/24 passes, 172.30.0.0/16 throws, and passes with allowAny
    expect(() => checkDrillAddresses(stack, false)).not.toThrow();
    expect(caught(() => checkDrillAddresses(other, false)).message).toContain("outside 198.18.0.0/15");
    expect(() => checkDrillAddresses(other, true)).not.toThrow();
  });

  test("picks the highest free address for the client", () => {
    // GIVEN the drill example's network and the VIP
    const stack = parseDockerStack(example.document);
    const net = stack.networks[0];
    if (!net) throw new Error("no network");

    // WHEN a free address is picked, with the top one taken too
    const used = [...stack.containers.map((c) => c.address), "198.18.0.10"];

    // THEN it is 198.18.0.254, then 198.18.0.253
    expect(freeAddress(net, used)).toBe("198.18.0.254");
    expect(freeAddress(net, [...used, "198.18.0.254"])).toBe("198.18.0.253");
  });
});
