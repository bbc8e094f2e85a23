/**
 * No string breaks out of its line in the three-tier renderers (BIRD configs, the L4 gate,
 * keepalived IPVS config). Each string slot is fed arbitrary strings: either the renderer throws
 * a ValidationError, or its text is the benign text with the benign value replaced by the value
 * (in each form the renderer uses: as given, without "/32", dots as '_') and nowhere else, and
 * the value is one plain token of BIRD, sh and keepalived syntax.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import { HealthCheck } from "../../lib/model/health-check";
import { renderBirdL4Conf } from "../../lib/render/bird-l4";
import { renderBirdRouterConf } from "../../lib/render/bird-router";
import { renderIpvsKeepalivedConf } from "../../lib/render/ipvs-keepalived";
import { renderL4Gate } from "../../lib/render/l4-gate";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";

const RUNS = { numRuns: 150 };
/** What an accepted value may not hold in any of the files. */
const SPECIAL = /[\s;{}#!"'\\$`&|<>()*[\]~\p{Cc}]/u;
/** What a keepalived word may not hold (an HTTP path there may have '&', '*' and '?'). */
const KEEPALIVED_SPECIAL = /[\s"'#!{}\\$\p{Cc}]/u;

const BFD = { intervalMs: 100, multiplier: 3 };
const BGP = {
  holdTimeSeconds: 9,
  keepaliveSeconds: 3,
  connectRetrySeconds: 1,
  errorWaitMinSeconds: 1,
  errorWaitMaxSeconds: 10,
};

type Form = (value: string) => string;
const AS_GIVEN: Form = (v) => v;
const NO_PREFIX: Form = (v) => v.replace(/\/32$/, "");
const UNDERSCORED: Form = (v) => NO_PREFIX(v).replace(/\./g, "_");

interface Slot {
  readonly name: string;
  readonly benign: string;
  readonly forms: readonly Form[];
  readonly values: fc.Arbitrary<string>;
  readonly render: (value: string) => string;
  /** @default SPECIAL */
  readonly special?: RegExp;
}

const dangerous = fc.constantFrom(...DANGEROUS_CHARACTERS, "&", "|", "(", "*", "/", "");
const withDanger = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, dangerous, fc.boolean()).map(([b, d, before]) => (before ? d + b : b + d));
const addresses = fc.oneof(
  fc.ipV4(),
  withDanger(fc.ipV4()),
  fc.ipV4().map((a) => `${a}/32`),
  fc.string({ unit: fc.constantFrom("1", "9", "0", ".", "/", "3", "2"), maxLength: 18 }),
);
const names = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "Z", "0", "_", "-", "."), minLength: 1, maxLength: 12 }),
  withDanger(fc.string({ unit: fc.constantFrom("a", "Z", "0", "_"), minLength: 1, maxLength: 12 })),
  fc.string(),
);
const paths = fc.oneof(
  fc
    .string({ unit: fc.constantFrom("/", "a", ".", "_", "-", "+"), minLength: 1, maxLength: 20 })
    .map((p) => `/${p}`),
  withDanger(fc.constantFrom("/run/ha/drain", "/run/bird/x.ctl", "/healthz")),
  fc.string(),
);

const router = (over: object) =>
  renderBirdRouterConf({
    routerId: "198.18.0.1",
    localAsn: 65000,
    l4Nodes: [{ name: "a", address: "198.18.0.11", asn: 65100 }],
    serviceAddresses: ["198.18.100.10"],
    bfd: BFD,
    bgp: BGP,
    passive: false,
    ...over,
  });
const l4 = (over: object) =>
  renderBirdL4Conf({
    routerId: "198.18.0.11",
    localAsn: 65100,
    routers: [{ name: "r1", address: "198.18.0.1", asn: 65000 }],
    serviceAddresses: ["198.18.100.10"],
    bfd: BFD,
    bgp: BGP,
    passive: false,
    ...over,
  });
const gate = (over: object, address = "198.18.100.10") =>
  renderL4Gate({ intervalMs: 200, virtualServers: [{ address, port: 80 }], ...over });
const ipvs = (over: { path?: string; real?: string; vip?: string; arg?: string; routerId?: string }) =>
  renderIpvsKeepalivedConf({
    routerId: over.routerId ?? "l4-a",
    method: "TUN",
    quorumCommand: ["/usr/local/sbin/ha-l4-gate", over.arg ?? "once"],
    virtualServers: [
      {
        address: over.vip ?? "198.18.100.10",
        port: 80,
        realServers: [{ address: over.real ?? "198.18.2.11" }],
        healthCheck: HealthCheck.http({ path: over.path ?? "/healthz" }),
      },
    ],
  });

const B_ADDRESS = "198.18.77.77";
const B_NAME = "zzbenignzz";
const SLOTS: Slot[] = [
  {
    name: "router: router id",
    benign: B_ADDRESS,
    forms: [AS_GIVEN],
    values: addresses,
    render: (v) => router({ routerId: v }),
  },
  {
    name: "router: L4 node name",
    benign: B_NAME,
    forms: [AS_GIVEN],
    values: names,
    render: (v) => router({ l4Nodes: [{ name: v, address: "198.18.0.11", asn: 65100 }] }),
  },
  {
    name: "router: L4 node address",
    benign: B_ADDRESS,
    forms: [AS_GIVEN],
    values: addresses,
    render: (v) => router({ l4Nodes: [{ name: "a", address: v, asn: 65100 }] }),
  },
  {
    name: "router: L4 node local address",
    benign: B_ADDRESS,
    forms: [AS_GIVEN],
    values: addresses,
    render: (v) => router({ l4Nodes: [{ name: "a", address: "198.18.0.11", asn: 65100, localAddress: v }] }),
  },
  {
    name: "router: service address",
    benign: B_ADDRESS,
    forms: [NO_PREFIX],
    values: addresses,
    render: (v) => router({ serviceAddresses: [v] }),
  },
  {
    name: "L4: router id",
    benign: B_ADDRESS,
    forms: [AS_GIVEN],
    values: addresses,
    render: (v) => l4({ routerId: v }),
  },
  {
    name: "L4: router name",
    benign: B_NAME,
    forms: [AS_GIVEN],
    values: names,
    render: (v) => l4({ routers: [{ name: v, address: "198.18.0.1", asn: 65000 }] }),
  },
  {
    name: "L4: service address",
    benign: B_ADDRESS,
    forms: [NO_PREFIX, UNDERSCORED],
    values: addresses,
    render: (v) => l4({ serviceAddresses: [v] }),
  },
  {
    name: "gate: drain file",
    benign: "/zzbenignzz",
    forms: [AS_GIVEN],
    values: paths,
    render: (v) => gate({ drainFile: v }),
  },
  {
    name: "gate: BIRD socket",
    benign: "/zzbenignzz",
    forms: [AS_GIVEN],
    values: paths,
    render: (v) => gate({ birdSocket: v }),
  },
  {
    name: "gate: IPVS table file",
    benign: "/zzbenignzz",
    forms: [AS_GIVEN],
    values: paths,
    render: (v) => gate({ ipvsTableFile: v }),
  },
  {
    name: "gate: TCP table file",
    benign: "/zzbenignzz",
    forms: [AS_GIVEN],
    values: paths,
    render: (v) => gate({ tcpTableFiles: ["/proc/net/tcp", v] }),
  },
  {
    name: "gate: virtual server address",
    benign: B_ADDRESS,
    forms: [NO_PREFIX, UNDERSCORED],
    values: addresses,
    render: (v) => gate({}, v),
  },
  {
    name: "IPVS: router id",
    benign: B_NAME,
    forms: [AS_GIVEN],
    values: names,
    render: (v) => ipvs({ routerId: v }),
  },
  {
    name: "IPVS: health check path",
    benign: "/zzbenignzz",
    forms: [AS_GIVEN],
    values: paths,
    render: (v) => ipvs({ path: v }),
    special: KEEPALIVED_SPECIAL,
  },
  {
    name: "IPVS: real server address",
    benign: B_ADDRESS,
    forms: [AS_GIVEN],
    values: addresses,
    render: (v) => ipvs({ real: v }),
  },
  {
    name: "IPVS: virtual address",
    benign: B_ADDRESS,
    forms: [NO_PREFIX],
    values: addresses,
    render: (v) => ipvs({ vip: v }),
  },
  {
    name: "IPVS: quorum command argument",
    benign: B_NAME,
    forms: [AS_GIVEN],
    values: names,
    render: (v) => ipvs({ arg: v }),
  },
];

describe("three-tier renderers against arbitrary strings", () => {
  test.each(SLOTS)("$name: refused, or only the value's own text changes", (slot) => {
    const benign = slot.render(slot.benign);
    expect(benign).toContain(slot.benign);
    let accepted = 0;
    fc.assert(
      fc.property(slot.values, (value) => {
        let text: string;
        try {
          text = slot.render(value);
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          return;
        }
        for (const form of slot.forms) expect(form(value)).not.toMatch(slot.special ?? SPECIAL);
        const expected = slot.forms.reduce((t, form) => t.split(form(slot.benign)).join(form(value)), benign);
        expect(text).toBe(expected);
        accepted += 1;
      }),
      RUNS,
    );
    // Some values must get through, or the property would say nothing about rendered text.
    expect(accepted).toBeGreaterThan(0);
  });
});
