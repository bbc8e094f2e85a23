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
