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
