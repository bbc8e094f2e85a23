/**
 * No user string breaks out of its configuration line.
 *
 * Every user-facing string prop that ends up in keepalived.conf, haproxy.cfg or the supervisor
 * script is fed arbitrary strings through the public constructs. For each, either the construct
 * throws a ValidationError, or the synthesized files differ from those of a benign value only on
 * the lines that carry the value, where the value is one plain token of that file's syntax; and
 * the synthesized JSON holds the benign stack's Terraform references and no other template.
 */
import { TerraformStack, Testing } from "cdktf";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  type BackendPoolProps,
  Balance,
  DockerPlatform,
  HealthCheck,
  Stickiness,
  ValidationError,
  VipPair,
  type VipPairProps,
} from "../../lib";
import { resourcesOfType, synthJson } from "../../lib/testing";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";
import { templateSequences } from "../support/terraform-template";

const RUNS = { numRuns: 100 };

/** Characters that end lines, open comments, quote, expand or separate in one of the files. */
const DANGEROUS = [...DANGEROUS_CHARACTERS, "(", ")", "<", ">", "&", "|", "*"];

/** What a value must not contain on a line of each file (control characters, \p{Cc}, everywhere). */
const SPECIAL: Record<string, RegExp> = {
  "/etc/keepalived/keepalived.conf": /[\s"'#!{}\\$\p{Cc}]/u,
  "/etc/haproxy/haproxy.cfg": /[\s"'#\\$\p{Cc}]/u,
};
/** Shell scripts, and any other file: the strictest set. */
const SPECIAL_SHELL = /[\s"'#!{}\\$`;&|<>()*?[\]~\p{Cc}]/u;

interface Slot {
  readonly name: string;
  /** A value every guard accepts, unlikely to occur anywhere else in the files. */
  readonly benign: string;
  /** Plausible characters and beginnings, so that many generated values are accepted. */
  readonly alphabet: readonly string[];
  readonly prefixes: readonly string[];
  /** How the value may be transformed where it is rendered (ids become host names, section names). */
  readonly forms?: (value: string) => string[];
  readonly pool?: (value: string) => Partial<BackendPoolProps>;
  readonly vipPair?: (value: string) => Partial<VipPairProps>;
  readonly poolId?: (value: string) => string;
  readonly vipPairId?: (value: string) => string;
}

const NAME_CHARS = ["a", "z", "A", "Q", "0", "7", "-", "_", "."];
const URL_CHARS = [...NAME_CHARS, "/", "~", "%", ":", "@", ",", "+", "=", "!", "*", "?", "&"];
const ID_FORMS = (value: string) => [value, value.toLowerCase(), value.replace(/[^A-Za-z0-9_]/g, "_")];

const SLOTS: Slot[] = [
  {
    name: "HealthCheck.http path",
    benign: "/zzbenignzz",
    alphabet: URL_CHARS,
    prefixes: ["/", "/api/", ""],
    pool: (path) => ({ healthCheck: HealthCheck.http({ path }) }),
  },
  {
    name: "Balance.consistentHashHeader header",
    benign: "zzbenignzz",
    alphabet: [...NAME_CHARS, "!", "%", "&", "*", "+", "^", "|", "~"],
    prefixes: ["X-", ""],
    vipPair: (header) => ({ balance: Balance.consistentHashHeader(header) }),
  },
  {
    name: "Stickiness.cookie name",
    benign: "zzbenignzz",
    alphabet: NAME_CHARS,
    prefixes: ["SRV", ""],
    vipPair: (cookie) => ({ stickiness: Stickiness.cookie(cookie) }),
  },
  {
    name: "notify.master argument",
    benign: "zzbenignzz",
    alphabet: [...NAME_CHARS, "/", "=", ":", ",", "@", "+", "%", "^"],
    prefixes: ["--state=", ""],
    vipPair: (arg) => ({ notify: { master: ["/usr/local/bin/ha-hook", arg] } }),
  },
  {
    name: "notify.backup executable",
    benign: "/zzbenignzz",
    alphabet: [...NAME_CHARS, "/", "+"],
    prefixes: ["/usr/local/bin/", "/", ""],
    vipPair: (exe) => ({ notify: { backup: [exe] } }),
  },
  {
    name: "BackendPool command argument",
    benign: "zzbenignzz",
    alphabet: [...NAME_CHARS, "/", "=", ":", ",", "@", "+", "%", "^"],
    prefixes: ["--listen=", ""],
    pool: (arg) => ({ image: "nginx:1.27", command: ["/usr/local/bin/app", arg] }),
  },
  {
    name: "BackendPool id",
    benign: "zzbenignzz",
    alphabet: NAME_CHARS,
    prefixes: ["web", ""],
    forms: ID_FORMS,
    poolId: (id) => id,
  },
  {
    name: "VipPair id",
    benign: "zzbenignzz",
    alphabet: NAME_CHARS,
    prefixes: ["edge", ""],
    forms: ID_FORMS,
    vipPairId: (id) => id,
  },
];

/** Builds a VIP pair in front of a pool with `value` in the slot. Throws what the constructs throw. */
function build(slot: Slot, value: string): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "s");
  const platform = new DockerPlatform(stack, "local");
  const pool = new BackendPool(platform, slot.poolId?.(value) ?? "web", {
    replicas: 2,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
    ...slot.pool?.(value),
  });
  new VipPair(platform, slot.vipPairId?.(value) ?? "edge", {
    virtualIp: "172.30.0.10",
    backends: pool,
    ...slot.vipPair?.(value),
  });
  return stack;
}

/** Terraform reads `$${` as `${` and `%%{` as `%{`: the file text a host receives. */
function fileText(content: string): string {
  return content.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** Every uploaded file of every container, keyed by host role, ordinal and path. */
function uploadedFiles(stack: TerraformStack): Map<string, string> {
  const files = new Map<string, string>();
  const containers = resourcesOfType(synthJson(stack), "docker_container");
  for (const container of Object.values(containers)) {
    const uploads = (container.upload ?? []) as Array<{ file: string; content: string }>;
    const role = uploads.some((u) => u.file.endsWith("keepalived.conf")) ? "lb" : "backend";
    const ordinal = /-(\d+)$/.exec(container.hostname as string)?.[1];
    for (const upload of uploads) files.set(`${role}${ordinal} ${upload.file}`, fileText(upload.content));
  }
  return files;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/**
 * Checks that `actual` is `benign` with the benign marker replaced by a form of `value` on the
 * marker's lines only, and that the form used is one plain token of the file's syntax.
 */
function expectOnlyValueLinesDiffer(
  file: string,
  benign: string,
  actual: string,
  marker: string,
  forms: readonly string[],
): void {
  const path = file.slice(file.indexOf(" ") + 1);
  const special = SPECIAL[path] ?? SPECIAL_SHELL;
  const benignLines = benign.split("\n");
  const actualLines = actual.split("\n");
  expect(actualLines.length, `${file}: line count`).toBe(benignLines.length);
  expect(count(actual, "{"), `${file}: '{' count`).toBe(count(benign, "{"));
  expect(count(actual, "}"), `${file}: '}' count`).toBe(count(benign, "}"));
  benignLines.forEach((line, i) => {
    const rendered = actualLines[i] as string;
    if (!line.includes(marker)) {
      expect(rendered, `${file} line ${i + 1} does not carry the value`).toBe(line);
      return;
    }
    const form = forms.find((f) => line.split(marker).join(f) === rendered);
    expect(
      form,
      `${file} line ${i + 1}: ${JSON.stringify(rendered)} is "${line}" with the value in place`,
    ).toBeDefined();
    expect(form, `${file} line ${i + 1}: the value is one plain token`).not.toMatch(special);
  });
}

/** Arbitrary strings: ASCII, full Unicode, dangerous characters, and plausible values with or without one. */
function arbValue(slot: Slot): fc.Arbitrary<string> {
  const plain = (minLength: number) =>
    fc.string({ unit: fc.constantFrom(...slot.alphabet), minLength, maxLength: 20 });
  const maybeDangerous = fc.oneof(fc.constant(""), fc.constantFrom(...DANGEROUS));
  return fc.oneof(
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.string({ unit: "binary" }) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...DANGEROUS, ...slot.alphabet) }) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...slot.prefixes), plain(1), maybeDangerous, plain(0))
        .map((parts) => parts.join("")),
    },
  );
}

describe("no user string breaks out of a generated configuration line", () => {
  test.each(SLOTS)("$name: rejected with a ValidationError, or confined to its own lines", (slot) => {
    // GIVEN the files a benign value renders, in which the value's lines are marked
    const benignStack = build(slot, slot.benign);
    const benignFiles = uploadedFiles(benignStack);
    const benignTemplates = templateSequences(synthJson(benignStack)).sort();
    expect([...benignFiles.values()].some((text) => text.includes(slot.benign))).toBe(true);
    let accepted = 0;
    fc.assert(
      // The empty id has its own test below: constructs rejects it before our guards run.
      fc.property(
        arbValue(slot).filter((v) => !(slot.forms && v === "")),
        (value) => {
          // WHEN a stack is built with an arbitrary value in the slot
          let stack: TerraformStack;
          try {
            stack = build(slot, value);
          } catch (e) {
            // THEN either a construct rejects it with a ValidationError ...
            expect(e).toBeInstanceOf(ValidationError);
            return;
          }
          // ... or every synthesized file equals the benign one except on the value's own lines
          accepted++;
          // ... Terraform evaluates exactly the references a benign value has, nothing of the value
          expect(templateSequences(synthJson(stack)).sort()).toEqual(benignTemplates);
          const files = uploadedFiles(stack);
          expect([...files.keys()].sort()).toEqual([...benignFiles.keys()].sort());
          const forms = slot.forms?.(value) ?? [value];
          for (const [file, benign] of benignFiles) {
            expectOnlyValueLinesDiffer(file, benign, files.get(file) as string, slot.benign, forms);
          }
        },
      ),
      RUNS,
    );
    // AND the generator reached the accepted path often enough for the check to mean something
    expect(accepted).toBeGreaterThanOrEqual(RUNS.numRuns / 20);
  });

  test.each([
    ["BackendPool", SLOTS.find((s) => s.poolId) as Slot],
    ["VipPair", SLOTS.find((s) => s.vipPairId) as Slot],
  ])("%s throws a ValidationError for an empty id", (_construct, slot) => {
    // GIVEN an empty construct id
    // WHEN the construct is built
    // THEN it fails with a ValidationError naming the id, like every other bad id
    expect(() => build(slot, "")).toThrow(ValidationError);
  });
});
