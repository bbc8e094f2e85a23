/**
 * Just enough YAML to write a cloud-config document fast and exactly: double-quoted scalars for
 * short values, literal block scalars for file contents (readable in a plan's diff), and a
 * double-quoted fallback for any text a block scalar cannot carry. The `yaml` package did the
 * same at about ten times the cost, which dominated synthesis of large AWS topologies.
 *
 * Correctness is checked by property tests that parse the output back with the `yaml` package
 * and with PyYAML, the parser cloud-init uses.
 */

/**
 * Characters YAML 1.1 (PyYAML) will not take raw in a block scalar: C0 controls except tab and
 * line feed, DEL, C1 controls (NEL is a line break there), the Unicode line and paragraph
 * separators, the byte-order mark and unpaired surrogates.
 */
const NOT_IN_BLOCK =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\0-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A line that holds only spaces and tabs. */
const BLANK_LINE = /(?:^|\n)[ \t]+(?:\n|$)/;

/** A double-quoted scalar: JSON's escapes, plus those YAML needs beyond JSON. */
export function quoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\x7f-\x9f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A value of a mapping key at `indent` spaces: a literal block scalar when the text allows one,
 * otherwise a double-quoted scalar. Returns the text after "key:" (starting with a space).
 */
export function blockOrQuoted(text: string, indent: number): string {
  // Lines of only blanks are read differently by different parsers inside block scalars.
  if (text.length === 0 || NOT_IN_BLOCK.test(text) || text.includes("\r") || BLANK_LINE.test(text)) {
    return ` ${quoted(text)}`;
  }
  // Chomping: clip keeps one final newline, strip none, keep all of them.
  const chomp = !text.endsWith("\n") ? "-" : text.endsWith("\n\n") || text === "\n" ? "+" : "";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const pad = " ".repeat(indent + 2);
  // The explicit indentation indicator (2) lets the first line start with spaces.
  const lines = body.split("\n").map((l) => (l.length ? pad + l : ""));
  return ` |2${chomp}\n${lines.join("\n")}`;
}

/** A value `yamlBlock` can write: scalars, lists of them and mappings, nested. */
export type YamlValue =
  | string
  | number
  | boolean
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue };

/** A mapping key written plain: letters, digits, '_', '.', '-' (no indicator, nothing to escape). */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Words YAML 1.1 (PyYAML) or 1.2 read as null or a boolean: quoted even as keys. */
const RESERVED_WORD = /^(?:null|true|false|yes|no|on|off|y|n)$/i;

function scalar(value: string | number | boolean): string {
  if (typeof value === "string") return quoted(value);
  if (typeof value === "number" && !Number.isFinite(value))
    throw new Error(`YAML number ${value} is not finite`);
  return String(value);
}

/**
 * The lines of a block mapping, two spaces a level: every string double-quoted, keys plain
 * when they are identifiers and quoted otherwise, lists as block sequences ("[]" when empty).
 * Undefined members are left out.
 */
export function yamlBlock(mapping: { readonly [key: string]: YamlValue | undefined }, depth = 0): string[] {
  const pad = "  ".repeat(depth);
  const out: string[] = [];
  for (const [k, v] of Object.entries(mapping)) {
    if (v === undefined) continue;
    const key = PLAIN_KEY.test(k) && !RESERVED_WORD.test(k) ? k : quoted(k);
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${pad}${key}: []`);
      else {
        out.push(`${pad}${key}:`);
        for (const item of v as readonly YamlValue[]) {
          if (Array.isArray(item)) throw new Error("YAML: a list inside a list is not supported");
          if (typeof item === "object") {
            const inner = yamlBlock(item as { readonly [key: string]: YamlValue }, 0);
            if (inner.length === 0) inner.push("{}");
            out.push(...inner.map((l, i) => `${pad}${i === 0 ? "- " : "  "}${l}`));
          } else out.push(`${pad}- ${scalar(item)}`);
        }
      }
    } else if (typeof v === "object") {
      const inner = yamlBlock(v as { readonly [key: string]: YamlValue }, depth + 1);
      out.push(inner.length ? `${pad}${key}:` : `${pad}${key}: {}`, ...inner);
    } else out.push(`${pad}${key}: ${scalar(v)}`);
  }
  return out;
}
