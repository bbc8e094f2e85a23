/**
 * Terraform reads `${...}` and `%{...}` in every string of the synthesized JSON as template
 * syntax. Generated files are literal text (shell scripts use `${var}` freely), so every literal
 * `${` becomes `$${` and every `%{` becomes `%%{`. cdktf's own token placeholders
 * (`${TfToken[...]}`) are left alone: they become Terraform references on purpose.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** True when `text` holds a cdktf token (a value known only at deploy time). */
export function holdsToken(text: string): boolean {
  return text.includes("${TfToken[");
}
