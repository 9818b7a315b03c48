/**
 * Reads the customer's original subscriptions for `invite --originals FILE.csv` (SPEC section 9):
 * RFC 4180 (csv-parse), header on line 1 with exactly the columns below in any order, the last two
 * may be empty. The first bad row stops everything with one error naming its line and column.
 */
import { parse } from "csv-parse/sync";
import { MAX_SUBSCRIPTIONS_PER_INVITATION, type OriginalSubscription } from "../events/details.js";
import { IdString, IsoDateTime, TermDuration, TextString } from "../events/primitives.js";

export const ORIGINALS_COLUMNS = [
  "subscriptionId",
  "offerId",
  "offerName",
  "quantity",
  "commitmentEndDate",
  "autoRenewEnabled",
  "offerDiscontinued",
  "termDuration",
] as const;
type Column = (typeof ORIGINALS_COLUMNS)[number];

export class CsvError extends Error {
  override readonly name = "CsvError";
}

const shown = (value: string) =>
  JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

function fail(line: number, column: Column, reason: string, value: string): never {
  throw new CsvError(`line ${line}, ${column}: ${reason} (got ${shown(value)})`);
}

function flag(line: number, column: Column, value: string, empty: boolean | null): boolean {
  const v = value.trim().toLowerCase();
  if (v === "" && empty !== null) return empty;
  if (v === "true") return true;
  if (v === "false") return false;
  return fail(
    line,
    column,
    empty === null ? "must be true or false" : "must be true, false or empty",
    value,
  );
}

function checked(
  line: number,
  column: Column,
  value: string,
  schema: {
    safeParse: (v: string) => { success: boolean; error?: { issues: { message: string }[] } };
  },
) {
  const result = schema.safeParse(value);
  if (!result.success) fail(line, column, result.error?.issues[0]?.message ?? "invalid", value);
  return value.trim();
}

export function parseOriginalsCsv(text: string): OriginalSubscription[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    const where = e.lines === undefined ? "" : `line ${e.lines}: `;
    throw new CsvError(`${where}${e.message.replace(/ (?:at|on) line \d+$/, "")}`);
  }
  const [header, ...body] = rows;
  if (!header)
    throw new CsvError(`line 1: the file is empty; the header is ${ORIGINALS_COLUMNS.join(",")}`);
  const names = header.record.map((name) => name.trim());
  const index = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (!(ORIGINALS_COLUMNS as readonly string[]).includes(name)) {
      throw new CsvError(
        `line 1: unknown column ${shown(name)}; the header is ${ORIGINALS_COLUMNS.join(",")}`,
      );
    }
    if (index.has(name)) throw new CsvError(`line 1: column ${name} appears twice`);
    index.set(name, i);
  }
  const missing = ORIGINALS_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) throw new CsvError(`line 1: missing column(s) ${missing.join(", ")}`);
  if (body.length > MAX_SUBSCRIPTIONS_PER_INVITATION) {
    throw new CsvError(
      `the file lists ${body.length} originals; an invitation takes at most ${MAX_SUBSCRIPTIONS_PER_INVITATION}`,
    );
  }
  const firstLine = new Map<string, number>();
  return body.map(({ record, info }) => {
    const line = info.lines;
    const cell = (column: Column) => record[index.get(column) as number] ?? "";
    const subscriptionId = checked(line, "subscriptionId", cell("subscriptionId"), IdString);
    const earlier = firstLine.get(subscriptionId);
    if (earlier !== undefined)
      fail(line, "subscriptionId", `duplicate of line ${earlier}`, subscriptionId);
    firstLine.set(subscriptionId, line);
    const quantityText = cell("quantity").trim();
    const quantity = Number(quantityText);
    if (!/^\d+$/.test(quantityText) || quantity < 1 || quantity > 1_000_000) {
      fail(line, "quantity", "must be a whole number from 1 to 1000000", cell("quantity"));
    }
    const term = cell("termDuration").trim();
    return {
      subscriptionId,
      offerId: checked(line, "offerId", cell("offerId"), IdString),
      offerName: checked(line, "offerName", cell("offerName"), TextString),
      quantity,
      commitmentEndDate: checked(
        line,
        "commitmentEndDate",
        cell("commitmentEndDate").trim(),
        IsoDateTime,
      ),
      autoRenewEnabled: flag(line, "autoRenewEnabled", cell("autoRenewEnabled"), null),
      offerDiscontinued: flag(line, "offerDiscontinued", cell("offerDiscontinued"), false),
      ...(term === "" ? {} : { termDuration: checked(line, "termDuration", term, TermDuration) }),
    };
  });
}
