/** Plain-text tables for the CLI's human output. */

/**
 * Characters that would act on the operator's terminal instead of being shown: C0 and C1
 * controls (ESC sequences, CR, BEL, NUL...), DEL, line separators and the bidirectional
 * formatting characters that reorder text. New events cannot carry them (the schemas refuse
 * them), but older stored data may.
 */
const TERMINAL_UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** A stored value made safe to print: each unsafe character shown as U+FFFD. */
export const printable = (text: string): string => text.replace(TERMINAL_UNSAFE, "\uFFFD");

/** What JSON.stringify leaves unescaped but a terminal acts on (it escapes C0 itself). */
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** JSON for the terminal: unsafe characters as \uXXXX escapes (the same JSON value). */
export function printableJson(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(
    JSON_UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export type Column<T> = [header: string, value: (row: T) => string | number | boolean | null];

export function table<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, value]) => printable(String(value(row) ?? "-"))));
  const widths = columns.map(([header], i) =>
    Math.max(header.length, ...cells.map((r) => r[i]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(columns.map(([h]) => h)),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
  ].join("\n");
}

export const date = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");
