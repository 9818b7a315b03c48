/** `invite --originals FILE.csv`: RFC 4180 rows into originals, one line-and-column error otherwise. */
import { describe, expect, it } from "vitest";
import { parseOriginalsCsv } from "../../shared/partner-center/originals-csv.js";
import { CSV_HEADER } from "./support.js";

const csv = (...rows: string[]) => `${[CSV_HEADER, ...rows].join("\r\n")}\r\n`;

describe("parseOriginalsCsv", () => {
  it("reads quoted fields, empty optional columns, CRLF and a BOM", () => {
    const originals = parseOriginalsCsv(
      `\uFEFF${csv(
        's-1,CFQ7TTC0LH18,"Microsoft 365 Business Standard, ""annual""",25,2026-08-01,false,,P1Y',
        "s-2,CFQ7TTC0LH0R,Exchange Online,5,2026-09-01T00:00:00Z,TRUE,true,",
      )}`,
    );
    expect(originals).toEqual([
      {
        subscriptionId: "s-1",
        offerId: "CFQ7TTC0LH18",
        offerName: 'Microsoft 365 Business Standard, "annual"',
        quantity: 25,
        commitmentEndDate: "2026-08-01",
        autoRenewEnabled: false,
        offerDiscontinued: false,
        termDuration: "P1Y",
      },
      {
        subscriptionId: "s-2",
        offerId: "CFQ7TTC0LH0R",
        offerName: "Exchange Online",
        quantity: 5,
        commitmentEndDate: "2026-09-01T00:00:00Z",
        autoRenewEnabled: true,
        offerDiscontinued: true,
      },
    ]);
  });

  it("takes the columns in any order", () => {
    const text =
      "quantity,subscriptionId,offerId,offerName,commitmentEndDate,autoRenewEnabled,termDuration,offerDiscontinued\n3,s,o,Name,2026-01-01,false,,\n";
    expect(parseOriginalsCsv(text)[0]).toMatchObject({ subscriptionId: "s", quantity: 3 });
  });

  it.each([
    [
      csv("s-1,o,N,1,2026-01-01,false,,", "s-2,o,N,ten,2026-01-01,false,,"),
      /^line 3, quantity: .*"ten"/,
    ],
    [csv("s-1,o,N,0,2026-01-01,false,,"), /^line 2, quantity:/],
    [csv("s-1,o,N,1.5,2026-01-01,false,,"), /^line 2, quantity:/],
    [csv("s-1,o,N,1,2026-02-30,false,,"), /^line 2, commitmentEndDate: .*ISO 8601/],
    [csv("s-1,o,N,1,2026-01-01,yes,,"), /^line 2, autoRenewEnabled: must be true or false/],
    [csv("s-1,o,N,1,2026-01-01,,,"), /^line 2, autoRenewEnabled:/],
    [csv("s-1,o,N,1,2026-01-01,false,maybe,"), /^line 2, offerDiscontinued:/],
    [csv("s-1,o,N,1,2026-01-01,false,,1 year"), /^line 2, termDuration:/],
    [csv(",o,N,1,2026-01-01,false,,"), /^line 2, subscriptionId:/],
    [csv("s-1,,N,1,2026-01-01,false,,"), /^line 2, offerId:/],
    [csv("s-1,o,,1,2026-01-01,false,,"), /^line 2, offerName:/],
    [
      csv("s-1,o,N,1,2026-01-01,false,,", "s-1,o,N,1,2026-01-01,false,,"),
      /^line 3, subscriptionId: duplicate of line 2/,
    ],
    [csv("s-1,o,N,1,2026-01-01,false"), /^line 2: .*Record Length/],
    [csv('s-1,o,"N,1,2026-01-01,false,,'), /Quote Not Closed/],
    ["subscriptionId,offerId\ns,o\n", /^line 1: missing column\(s\) offerName/],
    [`${CSV_HEADER},extra\n`, /^line 1: unknown column "extra"/],
    ["", /^line 1: the file is empty/],
  ])("refuses %j", (text, message) => {
    expect(() => parseOriginalsCsv(text)).toThrow(message);
  });

  it("refuses more than 500 originals", () => {
    const rows = Array.from({ length: 501 }, (_, i) => `s-${i},o,N,1,2026-01-01,false,,`);
    expect(() => parseOriginalsCsv(csv(...rows))).toThrow(/at most 500/);
  });
});
