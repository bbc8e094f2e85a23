import fc from "fast-check";
import { DANGEROUS_CHARACTERS } from "./dangerous";

/** Strings that try Terraform's template syntax, shell expansion and line breaks. */
export const TEMPLATE_PIECES = [
  "${",
  "%{",
  "$${",
  "%%{",
  "}",
  '${file("/etc/passwd")}',
  "%{ if true }x%{ endif }",
  "$(id)",
  "`id`",
  "%h",
  "%%",
  "'",
  '"',
  "\\",
];

/** Arbitrary values with template, shell and line syntax mixed in. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc
    .array(
      fc.oneof(fc.constantFrom(...TEMPLATE_PIECES, ...DANGEROUS_CHARACTERS), fc.string({ maxLength: 4 })),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join("")),
);
