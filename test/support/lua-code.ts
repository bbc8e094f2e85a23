/**
 * Reads the Lua code of a PowerDNS LUA record the way Lua would read its string literals: the
 * tests use it to prove that every value the renderer quoted comes back unchanged and that no
 * value changed the code around it.
 */

/** The code with each string literal replaced by `$`, and the decoded literals in order. */
export interface LuaCodeShape {
  readonly skeleton: string;
  readonly strings: readonly string[];
}

/**
 * Splits `code` into its skeleton and its single-quoted string literals, decoding the `\ddd`
 * escapes and failing on any other escape or an unterminated literal (the renderer writes neither).
 */
export function luaCodeShape(code: string): LuaCodeShape {
  let skeleton = "";
  const strings: string[] = [];
  let i = 0;
  while (i < code.length) {
    const ch = code[i] as string;
    // Double quotes and long brackets would open strings this reader does not decode.
    if (ch === '"' || /^\[=*\[/.test(code.slice(i))) throw new Error(`unexpected ${ch} at ${i} in ${code}`);
    if (ch !== "'") {
      skeleton += ch;
      i += 1;
      continue;
    }
    const bytes: number[] = [];
    i += 1;
    for (;;) {
      const c = code[i];
      if (c === undefined) throw new Error(`unterminated string in ${code}`);
      i += 1;
      if (c === "'") break;
      if (c === "\\") {
        const digits = code.slice(i, i + 3);
        if (!/^[0-9]{3}$/.test(digits) || Number(digits) > 255) throw new Error(`bad escape \\${digits}`);
        bytes.push(Number(digits));
        i += 3;
      } else {
        bytes.push(...Buffer.from(c, "utf8"));
      }
    }
    strings.push(Buffer.from(bytes).toString("utf8"));
    skeleton += "$";
  }
  return { skeleton, strings };
}
