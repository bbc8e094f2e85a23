/**
 * Characters that could end a config line, close a block, open a comment, leave a quoted string
 * or expand in one of the generated files: the raw material of the escaping property tests.
 */
export const DANGEROUS_CHARACTERS: readonly string[] = [
  "\n",
  "\r",
  '"',
  "'",
  "{",
  "}",
  "#",
  "!",
  "$",
  "`",
  ";",
  "\\",
  "\0",
  " ",
  "\t",
  "\u00a0",
  "\u2028",
];
