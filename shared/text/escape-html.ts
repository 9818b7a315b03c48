/**
 * The one HTML escaper: for an element body or a quoted attribute value. The pages (through the
 * `html` template) and the reminder email both use it; the email first makes each value one line
 * of plain text (`plainText`), the pages show values as they are.
 */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}
