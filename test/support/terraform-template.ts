/**
 * Reads a string of the synthesized JSON the way Terraform reads a template: `$${` and `%%{`
 * are the literal `${` and `%{`; an unescaped `${` (interpolation) or `%{` (directive) would
 * make Terraform evaluate text. Returns the literal text, or undefined when the string holds
 * an interpolation or a directive.
 */
export function terraformLiteralText(template: string): string | undefined {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    const next = template[i + 1];
    if ((c === "$" || c === "%") && next === c && template[i + 2] === "{") {
      out += `${c}{`;
      i += 2;
    } else if ((c === "$" || c === "%") && next === "{") {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** The Terraform template sequences (unescaped `${` and `%{`) in every string of a JSON value. */
export function templateSequences(value: unknown): string[] {
  if (typeof value === "string") {
    const found: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if ((c === "$" || c === "%") && value[i + 1] === c && value[i + 2] === "{") i += 2;
      else if ((c === "$" || c === "%") && value[i + 1] === "{") {
        const end = value.indexOf("}", i);
        found.push(value.slice(i, end < 0 ? undefined : end + 1));
      }
    }
    return found;
  }
  if (Array.isArray(value)) return value.flatMap(templateSequences);
  if (value && typeof value === "object") return Object.values(value).flatMap(templateSequences);
  return [];
}
