/**
 * Text hygiene for what the email, the calendar and the advice interpolate from the store: names,
 * offers and ids arrive from upstream systems and are never trusted as terminal/header-safe text.
 */

/** C0 and C1 controls and DEL: CR/LF could forge headers, ESC drives terminals, NUL truncates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Bidirectional overrides, embeddings, isolates and marks: they can reorder a subject's text. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: controls become a space, bidi controls are dropped, spaces collapse. */
export function plainText(value: string | number): string {
  return String(value).replace(BIDI, "").replace(CONTROLS, " ").replace(/ {2,}/g, " ").trim();
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "today", "tomorrow", "in 41 days". */
export function daysLeftPhrase(daysLeft: number): string {
  if (daysLeft === 0) return "today";
  if (daysLeft === 1) return "tomorrow";
  return `in ${daysLeft} days`;
}
