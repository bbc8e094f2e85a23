import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { DNS_MESSAGE_PY } from "../../../lib/drill/clients/dns-message";
import { tierAvailable } from "../../support/tiers";

/** Runs the probe's own encoder or parser on each case, in python3, and returns what it gave. */
const HARNESS = `
import json, sys
for case in json.loads(sys.stdin.read()):
    try:
        if case["op"] == "encode":
            out = encode_query(case["qid"], case["name"], QTYPES[case["type"]]).hex()
        else:
            out = parse_reply(bytes.fromhex(case["hex"]), case["qid"], case["name"], QTYPES[case["type"]])
    except BadResponse as exc:
        out = {"bad": str(exc)}
    print(json.dumps(out))
`;

type Case =
  | { op: "encode"; qid: number; name: string; type: "A" | "AAAA" }
  | { op: "parse"; hex: string; qid: number; name: string; type: "A" | "AAAA" };

function runPython(cases: readonly Case[]): unknown[] {
  const r = spawnSync("python3", ["-c", `${DNS_MESSAGE_PY}\n${HARNESS}`], {
    input: JSON.stringify(cases),
    encoding: "utf8",
    timeout: 10_000,
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as unknown);
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const name = (n: string) =>
  Buffer.concat([
    ...n.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
/** A pointer to the question's name, which starts right after the header. */
const QNAME = Buffer.from([0xc0, 12]);
const A = 1;
const AAAA = 28;

function message(
  id: number,
  flags: number,
  sections: { question: Buffer; answers?: Buffer[]; authority?: Buffer[] },
) {
  const an = sections.answers ?? [];
  const ns = sections.authority ?? [];
  return Buffer.concat([
    u16(id),
    u16(flags),
    u16(1),
    u16(an.length),
    u16(ns.length),
    u16(0),
    sections.question,
    ...an,
    ...ns,
  ]);
}
const question = (n: string, type: number) => Buffer.concat([name(n), u16(type), u16(1)]);
const record = (owner: Buffer, type: number, ttl: number, data: Buffer) =>
  Buffer.concat([owner, u16(type), u16(1), u32(ttl), u16(data.length), data]);
const ipv4 = (a: string) => Buffer.from(a.split(".").map(Number));
/** An SOA whose own TTL is `ttl` and whose minimum (negative TTL) is `minimum`. */
const soa = (ttl: number, minimum: number) =>
  record(
    Buffer.from([0xc0, 16]),
    6,
    ttl,
    Buffer.concat([
      name("ns1.pool.test"),
      name("hostmaster.pool.test"),
      u32(1),
      u32(3600),
      u32(600),
      u32(604800),
      u32(minimum),
    ]),
  );
const parse = (m: Buffer, qid: number, n: string, type: "A" | "AAAA" = "A"): Case => ({
  op: "parse",
  hex: m.toString("hex"),
  qid,
  name: n,
  type,
});

describe.runIf(tierAvailable("python3 probes", ["python3"]))("the DNS client's wire format", () => {
  test("encodes a query as RFC 1035 lays it out: id, RD set, one question", () => {
    // GIVEN a query for web.pool.test A with id 0x1234, and one for AAAA with a trailing dot
    // WHEN it is encoded
    const [a, aaaa] = runPython([
      { op: "encode", qid: 0x1234, name: "web.pool.test", type: "A" },
      { op: "encode", qid: 1, name: "Web.Pool.test.", type: "AAAA" },
    ]);
    // THEN the bytes are the header, the labels and type/class IN
    expect(a).toBe(
      "123401000001000000000000" + "03776562" + "04706f6f6c" + "0474657374" + "00" + "0001" + "0001",
    );
    expect(aaaa).toBe(
      "000101000001000000000000" + "03576562" + "04506f6f6c" + "0474657374" + "00" + "001c" + "0001",
    );
  });

  test("reads the addresses of the asked type, sorted, with the smallest TTL, through compression and a CNAME", () => {
    // GIVEN a reply with a CNAME to a compressed name and two A records, the bigger address first
    const target = name("lb.pool.test");
    const reply = message(0xbeef, 0x8580, {
      question: question("WEB.pool.test", A),
      answers: [
        record(QNAME, 5, 60, target),
        record(Buffer.from([0xc0, 12 + 15 + 16]), A, 30, ipv4("198.18.0.12")),
        record(Buffer.from([0xc0, 12 + 15 + 16]), A, 20, ipv4("198.18.0.11")),
      ],
    });
    // WHEN the probe parses it as the answer to its query (name compared without case)
    const [out] = runPython([parse(reply, 0xbeef, "web.pool.test")]);
    // THEN it has both addresses, sorted, and the TTL of the shortest-lived
    expect(out).toEqual({ rcode: 0, tc: false, addresses: ["198.18.0.11", "198.18.0.12"], ttl: 20 });
  });

  test("reads an AAAA answer", () => {
    const six = Buffer.alloc(16);
    six.writeUInt16BE(0x2001, 0);
    six.writeUInt16BE(0x0db8, 2);
    six.writeUInt16BE(0x0001, 14);
    const reply = message(7, 0x8400, {
      question: question("web.pool.test", AAAA),
      answers: [record(QNAME, AAAA, 5, six)],
    });
    expect(runPython([parse(reply, 7, "web.pool.test", "AAAA")])).toEqual([
      { rcode: 0, tc: false, addresses: ["2001:db8::1"], ttl: 5 },
    ]);
  });

  test("takes the negative TTL of an empty answer and of NXDOMAIN from the SOA", () => {
    // GIVEN a NOERROR without addresses and an NXDOMAIN, each with the zone's SOA (TTL 300, minimum 1)
    const empty = message(9, 0x8400, { question: question("web.pool.test", A), authority: [soa(300, 1)] });
    const nx = message(10, 0x8403, { question: question("web.pool.test", A), authority: [soa(2, 60)] });
    // WHEN they are parsed
    // THEN no addresses, rcode 0 and 3, and the smaller of the SOA's TTL and minimum
    expect(runPython([parse(empty, 9, "web.pool.test"), parse(nx, 10, "web.pool.test")])).toEqual([
      { rcode: 0, tc: false, addresses: [], ttl: 1 },
      { rcode: 3, tc: false, addresses: [], ttl: 2 },
    ]);
  });

  test("sees the truncation flag", () => {
    const reply = message(11, 0x8700, { question: question("web.pool.test", A) });
    expect(runPython([parse(reply, 11, "web.pool.test")])).toEqual([
      { rcode: 0, tc: true, addresses: [], ttl: null },
    ]);
  });

  test.each([
    [
      "another id",
      message(13, 0x8400, { question: question("web.pool.test", A) }),
      /id 13, not the query's 12/,
    ],
    [
      "a query, not a response",
      message(12, 0x0100, { question: question("web.pool.test", A) }),
      /not a response/,
    ],
    [
      "another name",
      message(12, 0x8400, { question: question("www.pool.test", A) }),
      /the question www.pool.test/,
    ],
    ["another type", message(12, 0x8400, { question: question("web.pool.test", AAAA) }), /the question/],
    ["a short message", Buffer.from("8400", "hex"), /shorter than a header/],
    [
      "a pointer loop",
      Buffer.concat([u16(12), u16(0x8400), u16(1), u16(0), u16(0), u16(0), Buffer.from([0xc0, 12])]),
      /loops/,
    ],
    [
      "a cut-off record",
      message(12, 0x8400, {
        question: question("web.pool.test", A),
        answers: [record(QNAME, A, 1, ipv4("198.18.0.1")).subarray(0, 8)],
      }),
      /past the end/,
    ],
  ])("refuses a reply with %s", (_what, reply, message) => {
    // GIVEN a reply to query 12 for web.pool.test A that is not a proper answer to it
    // WHEN it is parsed
    const [out] = runPython([parse(reply, 12, "web.pool.test")]);
    // THEN it is a bad response, saying why
    expect((out as { bad?: string }).bad).toMatch(message);
  });
});
