import { execFileSync } from "node:child_process";
import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type YamlValue, yamlBlock } from "../../lib/render/yaml-text";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";

/** Strings rich in what YAML treats specially: indicators, quotes, breaks, controls, unicode. */
const text = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc
    .array(
      fc.constantFrom(
        ...DANGEROUS_CHARACTERS,
        ": ",
        "- ",
        "? ",
        "&a",
        "*a",
        "!!str",
        "%",
        "@",
        "'",
        "yes",
        "~",
        "null",
        "0x1",
        "1e3",
        "\u2028",
        "\ufeff",
        "\x85",
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join("")),
);

/** Mappings of up to three levels with string, number and boolean leaves and lists. */
const mapping: fc.Arbitrary<Record<string, YamlValue>> = fc.letrec((tie) => ({
  map: fc.dictionary(
    fc.oneof(
      fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/),
      fc.constantFrom("null", "true", "on", "No", "y", "Off"),
      text,
    ),
    tie("value") as fc.Arbitrary<YamlValue>,
    { maxKeys: 4 },
  ),
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.boolean(),
    fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
    fc.array(tie("map") as fc.Arbitrary<Record<string, YamlValue>>, { maxLength: 2 }),
    tie("map"),
  ),
})).map as fc.Arbitrary<Record<string, YamlValue>>;

const document = (m: Record<string, YamlValue>) => `${yamlBlock(m).join("\n")}\n`;

describe("yamlBlock", () => {
  test("writes nested mappings, lists and scalars, two spaces a level", () => {
    expect(
      yamlBlock({
        a: "x",
        b: { c: 1, d: [true, "e"], f: [] },
        g: [{ h: "i", j: { k: 2 } }],
        skip: undefined as never,
      }),
    ).toEqual([
      'a: "x"',
      "b:",
      "  c: 1",
      "  d:",
      "  - true",
      '  - "e"',
      "  f: []",
      "g:",
      '- h: "i"',
      "  j:",
      "    k: 2",
    ]);
  });

  test("quotes keys that are not identifiers", () => {
    expect(yamlBlock({ "a b": 1, "x: y": "z", null: 1, On: 2, no: 3, plain_key: 4 })).toEqual([
      '"a b": 1',
      '"x: y": "z"',
      '"null": 1',
      '"On": 2',
      '"no": 3',
      "plain_key: 4",
    ]);
  });

  test("round-trips any mapping through the yaml package", () => {
    fc.assert(
      fc.property(mapping, (m) => {
        expect(parse(document(m)) ?? {}).toEqual(m);
      }),
      { numRuns: 500 },
    );
  });

  // Patroni reads its configuration with PyYAML (YAML 1.1).
  test("round-trips any mapping through PyYAML, Patroni's parser", () => {
    // GIVEN a batch of documents
    const batch = fc.sample(mapping, { numRuns: 300, seed: 7 });
    // WHEN PyYAML reads them all in one process
    const script =
      "import json, sys, yaml\n" +
      "sys.stdout.write(json.dumps([yaml.safe_load(d) or {} for d in json.load(sys.stdin)]))\n";
    const parsed = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", script], {
        input: JSON.stringify(batch.map(document)),
        encoding: "utf8",
        maxBuffer: 64 << 20,
      }),
    );
    // THEN every document reads back as it was made
    const expected = JSON.parse(JSON.stringify(batch));
    const differing = parsed.findIndex(
      (p: unknown, i: number) => JSON.stringify(p) !== JSON.stringify(expected[i]),
    );
    expect(differing === -1 ? "" : document(batch[differing] as Record<string, YamlValue>)).toBe("");
    expect(parsed).toEqual(expected);
  });
});
