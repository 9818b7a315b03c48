/**
 * HTML built from tagged templates that escape every interpolated value: `html\`<td>${name}</td>\``
 * turns a customer name `<script>` into text. Only values already built by `html` (or marked
 * with `trusted`, for markup this code wrote itself) go in unescaped. Pure and DOM-free: the
 * server and the browser render the same pages with it.
 */

import { escapeHtml } from "../text/escape-html.js";

export { escapeHtml };

/** Markup that is already safe (built by `html`). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(value === true ? "true" : value);
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    out += render(values[i] as Interpolation) + (strings[i + 1] ?? "");
  }
  return new Html(out);
}

/** Markup this code wrote itself (never data): numbers formatted into SVG paths and the like. */
export const trusted = (text: string) => new Html(text);

/** A coordinate or length for SVG markup, to one decimal (the charts' one number format). */
export const svgNumber = (n: number) => trusted(String(Math.round(n * 10) / 10));

/** A path segment, percent-encoded, for links such as /transfers/{partnerId}/{customer}. */
export const segment = (value: string) => encodeURIComponent(value);
