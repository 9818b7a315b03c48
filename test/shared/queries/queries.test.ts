/**
 * The read side against the real DynamoDB Local: `show`, `list`, `due` and the partner's
 * expiries, as the CLI, the API and the pages all call them; and its parameter checks.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  dueOriginals,
  listTransfers,
  parseNow,
  parsePartner,
  parseStatus,
  parseWithin,
  partnerExpiries,
  QueryInputError,
  type ReadSource,
  showTransfer,
  transferJson,
} from "../../../shared/queries/index.js";
import { freshTable } from "../../support/dynamo.js";
import { dayFrom, quietTransfer, riskyTransfer, seed } from "../../web/fixtures.js";

const NOW = "2026-04-01T09:00:00Z";
let source: ReadSource;
const partner = `partner-${randomUUID().slice(0, 8)}`;
const other = `partner-other-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  source = await freshTable("queries");
  await seed(source, [
    riskyTransfer({
      partnerId: partner,
      customerTenantId: "t-a",
      customerName: "Alpha",
      now: NOW,
      endsInDays: 20,
    }),
    quietTransfer({
      partnerId: partner,
      customerTenantId: "t-b",
      customerName: "Beta",
      now: NOW,
      endsInDays: 5,
    }),
    quietTransfer({
      partnerId: other,
      customerTenantId: "t-c",
      customerName: "Gamma",
      now: NOW,
      endsInDays: 90,
    }),
  ]);
});

describe("show", () => {
  it("returns the view with the SPEC's JSON fields, and null for an unknown transfer", async () => {
    const view = await showTransfer(source, { partnerId: partner, customerTenantId: "t-a" });
    if (!view) throw new Error("transfer not stored");
    const shown = transferJson(view);
    expect(Object.keys(shown)).toEqual([
      "partnerId",
      "customerTenantId",
      "customerName",
      "status",
      "warnings",
      "unmatched",
      "subscriptions",
      "history",
    ]);
    expect(shown.status).toBe("PROVISIONING");
    expect(shown.warnings.map((w) => w.code).sort()).toEqual([
      "ORIGINAL_AUTO_RENEW_ON",
      "SEAT_COUNT_MISMATCH",
    ]);
    expect(shown.subscriptions[0]?.replacement?.quantity).toBe(24);
    expect(shown.history).toHaveLength(3);
    expect(await showTransfer(source, { partnerId: partner, customerTenantId: "nope" })).toBeNull();
  });
});

describe("list", () => {
  it("lists summaries, filtered by partner and by status", async () => {
    const mine = await listTransfers(source, { partnerId: partner });
    expect(mine.map((t) => [t.customerTenantId, t.status, t.warningCount])).toEqual([
      ["t-a", "PROVISIONING", 2],
      ["t-b", "INVITED", 0],
    ]);
    const invited = await listTransfers(source, { status: "INVITED" });
    expect(invited.map((t) => t.customerName).sort()).toEqual(["Beta", "Gamma"]);
    expect(await listTransfers(source, { partnerId: partner, status: "COMPLETED" })).toEqual([]);
  });
});

describe("due", () => {
  it("lists active originals within the window, soonest first", async () => {
    const rows = await dueOriginals(source, { withinDays: 30, now: NOW });
    expect(rows.map((r) => [r.customerName, r.daysLeft, r.replacementProvisioned])).toEqual([
      ["Beta", 5, false],
      ["Alpha", 20, true],
    ]);
  });

  it("gives a partner's expiries over the longest window, and only that partner's", async () => {
    const rows = await partnerExpiries(source, partner, NOW);
    expect(rows.map((r) => r.commitmentEndDate)).toEqual([
      dayFrom(NOW, 5),
      dayFrom(NOW, 20),
      dayFrom(NOW, 50),
    ]);
    expect((await partnerExpiries(source, other, NOW)).map((r) => r.customerName)).toEqual([
      "Gamma",
    ]);
  });
});

describe("parameters", () => {
  it.each([
    [() => parseStatus("DONE"), "status", "must be one of PENDING_INVITATION"],
    [() => parseWithin("soon"), "within", "whole number of days"],
    [() => parseWithin("-1"), "within", "whole number of days"],
    [() => parseWithin("99999"), "within", "from 0 to 3650"],
    [() => parseNow("2026-02-30"), "now", "ISO 8601"],
    [() => parsePartner(""), "partner", "partner id"],
    [() => parsePartner("p".repeat(65)), "partner", "1-64 characters"],
    [() => parsePartner("partner\u001b[2J"), "partner", "found U+001B"],
  ])("refuses a bad value naming the parameter (%#)", (parse, parameter, text) => {
    let caught: unknown;
    try {
      parse();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(QueryInputError);
    expect((caught as QueryInputError).parameter).toBe(parameter);
    expect((caught as QueryInputError).message).toContain(text);
  });

  it("accepts good values and applies the defaults", () => {
    expect(parseStatus("COMPLETED")).toBe("COMPLETED");
    expect(parseStatus(undefined)).toBeUndefined();
    expect(parseWithin(undefined)).toBe(60);
    expect(parseWithin("0")).toBe(0);
    expect(parseNow("2026-05-20")).toBe("2026-05-20");
    expect(parseNow(undefined, () => new Date(NOW))).toBe("2026-04-01T09:00:00.000Z");
  });
});
