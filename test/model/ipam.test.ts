import { Construct } from "constructs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import {
  type AddressLease,
  AddressSegment,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  networkContains,
  parseIpv4Cidr,
} from "../../lib/model/ipam";
import { validationErrorOf } from "../support/errors";

const RUNS = { numRuns: 200 };

/** A construct to point errors at, so messages carry a real construct path. */
function constructAt(...ids: string[]): Construct {
  let scope = new Construct(undefined as unknown as Construct, "");
  for (const id of ids) scope = new Construct(scope, id);
  return scope;
}

/** A random IPv4 network with a prefix from `min` to `max`. */
function arbNetworkWithin(min: number, max: number) {
  return fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min, max })).map(([any, prefix]) => {
    const size = 2 ** (32 - prefix);
    return { network: any - (any % size), prefix, size };
  });
}

/** A random IPv4 network with a prefix from /8 to /30. */
const arbNetwork = arbNetworkWithin(8, 30);

describe("ipv4ToInt / intToIpv4", () => {
  test.each([
    ["0.0.0.0", 0],
    ["0.0.0.1", 1],
    ["10.0.0.1", 0x0a000001],
    ["172.30.0.10", 0xac1e000a],
    ["192.168.255.254", 0xc0a8fffe],
    ["255.255.255.255", 0xffffffff],
  ])("converts %s to %d and back", (address, value) => {
    // GIVEN a dotted quad and its 32-bit value
    // WHEN converting both ways
    const asInt = ipv4ToInt(address);
    const asText = intToIpv4(value);
    // THEN each is the other's image, and the integer is unsigned
    expect(asInt).toBe(value);
    expect(asText).toBe(address);
    expect(asInt).toBeGreaterThanOrEqual(0);
  });

  test("intToIpv4(ipv4ToInt(x)) is x for every address", () => {
    // GIVEN any IPv4 address in dotted-quad form
    // WHEN it goes through the integer form and back
    // THEN it comes back unchanged
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(intToIpv4(ipv4ToInt(address))).toBe(address);
      }),
      RUNS,
    );
  });

  test("ipv4ToInt(intToIpv4(n)) is n for every unsigned 32-bit integer", () => {
    // GIVEN any 32-bit unsigned integer
    // WHEN it goes through the dotted-quad form and back
    // THEN it comes back unchanged, and the text is a strict dotted quad
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const text = intToIpv4(n);
        expect(isIpv4(text)).toBe(true);
        expect(ipv4ToInt(text)).toBe(n);
      }),
      RUNS,
    );
  });

  test.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.0.0.1",
    "01.2.3.4",
    "1.2.3.04",
    "0x1.2.3.4",
    "1.2.3.4 ",
    " 1.2.3.4",
    "1.2.3.4\n",
    "::1",
    "1.2.3.-1",
  ])("isIpv4 rejects %j", (value) => {
    // GIVEN text that is not a strict dotted quad
    // WHEN it is checked
    // THEN it is not an IPv4 address
    expect(isIpv4(value)).toBe(false);
  });
});

describe("parseIpv4Cidr", () => {
  test.each([
    ["172.30.0.0/24", 0xac1e0000, 24, 0xac1e00ff, 256],
    ["10.0.0.0/8", 0x0a000000, 8, 0x0affffff, 16_777_216],
    ["192.168.1.4/30", 0xc0a80104, 30, 0xc0a80107, 4],
    ["0.0.0.0/8", 0, 8, 0x00ffffff, 16_777_216],
    ["255.255.255.252/30", 0xfffffffc, 30, 0xffffffff, 4],
  ])("parses %s", (cidr, network, prefixLength, broadcast, size) => {
    // GIVEN a network in CIDR form
    // WHEN it is parsed
    const parsed = parseIpv4Cidr("stack/net", "subnet", cidr);
    // THEN network, prefix, broadcast and size are those of the range
    expect(parsed).toEqual({ cidr, network, prefixLength, broadcast, size });
  });

  test("parses every network from /8 to /30", () => {
    // GIVEN a random network with a prefix from /8 to /30
    // WHEN its CIDR text is parsed
    // THEN the range is exactly the 2^(32-prefix) addresses from the network address on
    fc.assert(
      fc.property(arbNetwork, ({ network, prefix, size }) => {
        const cidr = `${intToIpv4(network)}/${prefix}`;
        const parsed = parseIpv4Cidr("p", "subnet", cidr);
        expect(parsed.network).toBe(network);
        expect(parsed.prefixLength).toBe(prefix);
        expect(parsed.size).toBe(size);
        expect(parsed.broadcast).toBe(network + size - 1);
        expect(networkContains(parsed, intToIpv4(network))).toBe(true);
        expect(networkContains(parsed, intToIpv4(network + size - 1))).toBe(true);
        if (network > 0) expect(networkContains(parsed, intToIpv4(network - 1))).toBe(false);
        if (network + size <= 0xffffffff)
          expect(networkContains(parsed, intToIpv4(network + size))).toBe(false);
      }),
      RUNS,
    );
  });

  test("throws for host bits set, naming the network to use instead", () => {
    // GIVEN a random network and a host offset that is not zero
    // WHEN the address with host bits set is parsed as a network
    // THEN it fails with a ValidationError that suggests the network address
    fc.assert(
      fc.property(arbNetwork, fc.integer({ min: 1 }), ({ network, prefix, size }, raw) => {
        const offset = 1 + (raw % (size - 1));
        const cidr = `${intToIpv4(network + offset)}/${prefix}`;
        const error = validationErrorOf(() => parseIpv4Cidr("stack/p", "subnet", cidr));
        expect(error.message).toContain("stack/p");
        expect(error.message).toContain(JSON.stringify(cidr));
        expect(error.message).toContain(`${intToIpv4(network)}/${prefix}`);
      }),
      RUNS,
    );
  });

  test.each([
    "172.30.0.0/7",
    "172.30.0.0/31",
    "172.30.0.0/32",
    "172.30.0.0/33",
    "172.30.0.0",
    "172.30.0.0/",
    "/24",
    "172.30.0/24",
    "172.30.0.0.0/24",
    "256.30.0.0/24",
    "010.0.0.0/8",
    "10.000.0.0/16",
    "10.0.0.0/08",
    "0x0a.0.0.0/8",
    " 172.30.0.0/24",
    "172.30.0.0/24\n",
    "fd00::/64",
    "",
  ])("throws for %j", (cidr) => {
    // GIVEN text that is not an IPv4 network from /8 to /30 in strict decimal form
    // WHEN it is parsed
    const error = validationErrorOf(() => parseIpv4Cidr("stack/platform", "subnet", cidr));
    // THEN the ValidationError names the location, the value and what is allowed
    expect(error.path).toBe("stack/platform");
    expect(error.value).toBe(cidr);
    expect(error.message).toContain("stack/platform: subnet");
    expect(error.message).toContain(JSON.stringify(cidr));
    expect(error.message).toMatch(/\/8 to \/30|host bits/);
  });

  test("throws for a leading zero that ipaddr.js would read as octal", () => {
    // GIVEN "010.0.0.0/8", which ipaddr.js parses as 8.0.0.0/8 while the text says 10.x
    // WHEN it is parsed
    // THEN it is rejected rather than given a gateway in another network than the text names
    expect(() => parseIpv4Cidr("p", "subnet", "010.0.0.0/8")).toThrow(ValidationError);
  });

  test("honours a narrower prefix range", () => {
    // GIVEN a caller that allows only /16 to /28
    // WHEN a /24 and a /29 are parsed
    const ok = parseIpv4Cidr("p", "subnet", "10.1.2.0/24", 16, 28);
    // THEN the /24 passes and the /29 fails, naming the allowed range
    expect(ok.prefixLength).toBe(24);
    expect(() => parseIpv4Cidr("p", "subnet", "10.1.2.0/29", 16, 28)).toThrow(/\/16 to \/28/);
  });
});

describe("AddressSegment", () => {
  test("reserves network, gateway and broadcast and counts capacity as size - 3", () => {
    // GIVEN a /24 segment
    const segment = new AddressSegment("stack/p", "172.30.0.0/24", "net");
    // WHEN nothing is leased yet
    // THEN the gateway is the first host address and 253 addresses are free
    expect(segment.cidr).toBe("172.30.0.0/24");
    expect(segment.gateway).toBe("172.30.0.1");
    expect(segment.capacity).toBe(253);
    expect(segment.free).toBe(253);
    expect(segment.contains("172.30.0.200")).toBe(true);
    expect(segment.contains("172.30.1.0")).toBe(false);
  });

  test("gives out addresses lazily, in request order, from the lowest free, around later reservations", () => {
    // GIVEN two leases asked for before a VIP is pinned to the address the first would have had
    const segment = new AddressSegment("stack/p", "172.30.0.0/24", "net");
    const a = segment.lease("stack/a", "a");
    const b = segment.lease("stack/b", "b");
    segment.reserve("stack/vip", "virtual IP address", "172.30.0.2", "vip");
    // WHEN the addresses are read
    const addresses = [a.address, b.address];
    // THEN the leases skip the VIP, and the assignments list everything in address order
    expect(addresses).toEqual(["172.30.0.3", "172.30.0.4"]);
    expect(segment.assignments).toEqual([
      { address: "172.30.0.2", owner: "vip" },
      { address: "172.30.0.3", owner: "a" },
      { address: "172.30.0.4", owner: "b" },
    ]);
  });

  test("a requested address is reserved at once", () => {
    // GIVEN a lease that asks for a fixed address
    const segment = new AddressSegment("stack/p", "10.0.0.0/29", "net");
    const pinned = segment.lease("stack/pin", "pin", "10.0.0.5");
    // WHEN another construct asks for the same address
    // THEN the clash fails at once, and the pinned lease has its address
    expect(pinned.address).toBe("10.0.0.5");
    expect(() => segment.reserve("stack/other", "address", "10.0.0.5", "other")).toThrow(ValidationError);
  });

  test.each([
    ["the network address", "172.30.0.0", "network and broadcast"],
    ["the broadcast address", "172.30.0.255", "network and broadcast"],
    ["the gateway", "172.30.0.1", "gateway"],
    ["an address outside the segment", "172.30.1.7", "inside segment net (172.30.0.0/24)"],
    ["an address already taken", "172.30.0.9", "already used by stack/first"],
    ["text that is not an address", "172.30.0.x", "IPv4 address inside 172.30.0.0/24"],
    ["an address with a leading zero", "172.30.0.09", "IPv4 address inside 172.30.0.0/24"],
  ])(
    "reserve() throws for %s, naming construct path, value and what is allowed",
    (_what, address, allowed) => {
      // GIVEN a /24 segment where .9 is taken, and a construct that asks for an address
      const segment = new AddressSegment("stack/platform", "172.30.0.0/24", "net");
      segment.reserve("stack/first", "address", "172.30.0.9", "stack/first");
      const vip = constructAt("stack", "edge", "Vip");
      // WHEN it reserves the address
      const error = validationErrorOf(() =>
        segment.reserve(vip, "virtual IP address", address, vip.node.path),
      );
      // THEN the ValidationError names the construct path, the value and what is allowed
      expect(error.path).toBe("stack/edge/Vip");
      expect(error.value).toBe(address);
      expect(error.message).toContain("stack/edge/Vip");
      expect(error.message).toContain(JSON.stringify(address));
      expect(error.message).toContain(allowed);
    },
  );

  test("throws for a reservation that would take an address promised to a pending lease", () => {
    // GIVEN a /30 (one usable address) whose address is promised to a pending lease
    const segment = new AddressSegment("stack/p", "10.0.0.0/30", "net");
    const pending = segment.lease("stack/host", "host");
    // WHEN a VIP asks for that address before allocation
    const error = validationErrorOf(() =>
      segment.reserve("stack/vip", "virtual IP address", "10.0.0.2", "vip"),
    );
    // THEN it fails at that line, not later at synthesis, and the pending lease keeps its address
    expect(error.message).toContain("stack/vip");
    expect(error.message).toContain("no free address");
    expect(pending.address).toBe("10.0.0.2");
  });

  test("throws for a lease when the segment is full, naming the owner and the segment", () => {
    // GIVEN a /29 (5 usable addresses) with 5 leases
    const segment = new AddressSegment("stack/p", "10.0.0.0/29", "net");
    for (let i = 0; i < 5; i++) segment.lease("stack/pool", `host${i}`);
    // WHEN a sixth is asked for
    const error = validationErrorOf(() => segment.lease("stack/pool", "host5"));
    // THEN the ValidationError says the segment is full and suggests a larger subnet
    expect(error.message).toContain("stack/pool");
    expect(error.message).toContain('"host5"');
    expect(error.message).toContain("net (10.0.0.0/29)");
    expect(error.message).toContain("larger subnet");
  });

  type Op = { kind: "reserve"; raw: number; near: boolean } | { kind: "lease" } | { kind: "read" };
  const arbOp: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("reserve" as const),
      raw: fc.integer({ min: 0, max: 0x7fffffff }),
      near: fc.boolean(),
    }),
    fc.constant({ kind: "lease" as const }),
    fc.constant({ kind: "read" as const }),
  );
  /** Mostly small networks, so that random sequences fill them. */
  const arbSegmentNetwork = fc.oneof(
    { weight: 1, arbitrary: arbNetwork },
    { weight: 3, arbitrary: arbNetworkWithin(26, 30) },
  );

  test("allocation obeys the IPAM contract for random networks and random request sequences", () => {
    fc.assert(
      fc.property(arbSegmentNetwork, fc.array(arbOp, { maxLength: 90 }), ({ network, prefix, size }, ops) => {
        // GIVEN a random network (a /26 to /30 three times in four, else /8 to /30)
        const cidr = `${intToIpv4(network)}/${prefix}`;
        const segment = new AddressSegment("stack/p", cidr, "net");
        // ... and a model of it: offsets 2 .. size-2 are usable host addresses
        const taken = new Map<number, string>();
        const pending: Array<{ owner: string; lease: AddressLease }> = [];
        const given: Array<{ owner: string; lease: AddressLease; offset: number }> = [];
        const capacity = size - 3;
        const modelFree = () => capacity - taken.size - pending.length;
        const modelAllocate = () => {
          while (pending.length > 0) {
            const p = pending.shift() as { owner: string; lease: AddressLease };
            let offset = 2;
            while (taken.has(offset)) offset++;
            taken.set(offset, p.owner);
            given.push({ ...p, offset });
          }
        };
        expect(segment.capacity).toBe(capacity);

        // WHEN the sequence of reservations, leases and reads runs
        ops.forEach((op, i) => {
          const owner = `owner${i}`;
          if (op.kind === "lease") {
            if (modelFree() <= 0) {
              // THEN leasing fails exactly when the segment is full
              expect(() => segment.lease("stack/pool", owner)).toThrow(ValidationError);
            } else {
              pending.push({ owner, lease: segment.lease("stack/pool", owner) });
            }
          } else if (op.kind === "reserve") {
            const offset = op.near ? (op.raw % 12) - 2 : (op.raw % (size + 4)) - 2;
            const value = network + offset;
            if (value < 0 || value > 0xffffffff) return;
            const address = intToIpv4(value);
            const usable = offset >= 2 && offset <= size - 2 && !taken.has(offset);
            if (usable && modelFree() > 0) {
              segment.reserve("stack/vip", "address", address, owner);
              taken.set(offset, owner);
            } else {
              // THEN a taken, gateway, network, broadcast or outside address (or a full segment)
              // fails with a ValidationError that names the path, the value and what is allowed
              const error = validationErrorOf(() => segment.reserve("stack/vip", "address", address, owner));
              expect(error.message).toContain("stack/vip");
              expect(error.message).toContain(JSON.stringify(address));
              expect(error.allowed.length).toBeGreaterThan(0);
            }
          } else if (pending.length > 0) {
            const first = pending[0] as { lease: AddressLease };
            // reading one address fixes every pending one
            expect(first.lease.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
            modelAllocate();
          }
          expect(segment.free).toBe(modelFree());
        });
        modelAllocate();
        const assignments = segment.assignments;

        // THEN every lease got the lowest free address in request order, inside the subnet,
        // never network, broadcast, gateway, a reserved address or one given out twice
        for (const g of given) {
          expect(g.lease.address).toBe(intToIpv4(network + g.offset));
          const value = ipv4ToInt(g.lease.address);
          expect(value).toBeGreaterThan(network + 1);
          expect(value).toBeLessThan(network + size - 1);
          expect(segment.contains(g.lease.address)).toBe(true);
        }
        const addresses = assignments.map((a) => a.address);
        expect(new Set(addresses).size).toBe(addresses.length);
        expect(addresses).not.toContain(segment.gateway);
        expect(addresses).not.toContain(intToIpv4(network));
        expect(addresses).not.toContain(intToIpv4(network + size - 1));
        expect(assignments).toEqual(
          [...taken.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([offset, owner]) => ({ address: intToIpv4(network + offset), owner })),
        );
      }),
      RUNS,
    );
  });

  test.each([
    ["/30", "10.0.0.0/30", 1],
    ["/29", "10.0.0.0/29", 5],
    ["/28", "10.0.0.0/28", 13],
  ])("a %s holds exactly size - 3 leases", (_name, cidr, capacity) => {
    // GIVEN an empty segment
    const segment = new AddressSegment("stack/p", cidr, "net");
    // WHEN it is filled
    const leases = Array.from({ length: capacity }, (_, i) => segment.lease("stack/pool", `h${i}`));
    // THEN all leases get distinct host addresses and one more lease fails
    expect(new Set(leases.map((l) => l.address)).size).toBe(capacity);
    expect(segment.free).toBe(0);
    expect(() => segment.lease("stack/pool", "one-too-many")).toThrow(ValidationError);
  });
});
