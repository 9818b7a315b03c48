/**
 * The read path through keys and indexes (SPEC section 8): every request of the web app, the
 * JSON API, the calendar feed and the CLI's `list`/`due`, driven against DynamoDB Local with a
 * recording middleware on the real client, issues no Scan. And any date up to 9999-12-31 is
 * answered (SPEC section 8), never a 500 or a raw DynamoDB error.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as commands from "../../../bin/cli/commands.js";
import type { Target } from "../../../bin/cli/target.js";
import type { WebRoute } from "../../../shared/http/routes.js";
import type { ReadSource } from "../../../shared/queries/index.js";
import {
  LIST_INDEX,
  LIST_SHARDS,
  PARTNER_ENTRY_INDEX,
} from "../../../shared/store/table-definition.js";
import { calendarRoutes, jsonApiRoutes, pageRoutes } from "../../../shared/web/app-routes.js";
import { calendarToken } from "../../../shared/web/calendar-feed.js";
import { freshTable } from "../../support/dynamo.js";
import { getRoute } from "../../support/web-routes.js";
import { riskyTransfer, seed } from "../../web/fixtures.js";

const NOW = "2026-04-01T09:00:00Z";
const partner = `partner-${randomUUID().slice(0, 8)}`;
const secret = Buffer.alloc(32, 3);
let source: ReadSource;
const sent: string[] = [];
/** The index each Query read (the table itself when none). */
const queried: string[] = [];
let routes: WebRoute[];

beforeAll(async () => {
  source = await freshTable("read-path");
  await seed(
    source,
    ["t-1", "t-2"].map((customerTenantId, i) =>
      riskyTransfer({
        partnerId: partner,
        customerTenantId,
        customerName: `C${i}`,
        now: NOW,
        endsInDays: 10 + i,
      }),
    ),
  );
  source.db.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      if (context.commandName === "QueryCommand") {
        queried.push(String((args.input as { IndexName?: string }).IndexName ?? "table"));
      }
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  const deps = {
    source,
    calendarSecret: async () => secret,
    thresholds: [60, 30, 14, 7, 1],
    clock: () => new Date(NOW),
  };
  routes = [...pageRoutes(deps), ...jsonApiRoutes(deps), ...calendarRoutes(deps)];
});

const get = (path: string) => getRoute(routes, path);

const target = () => ({ dynamo: source.db, tableName: source.tableName }) as unknown as Target;

describe("the read path", () => {
  it.each([
    "/",
    "/due",
    "/api/due",
    "/api/transfers",
    `/transfers/${partner}/t-1`,
    `/api/transfers/${partner}/t-1`,
    `/calendar/${partner}.ics?token=${calendarToken(secret, partner)}`,
  ])("GET %s reads through keys and indexes, never a Scan", async (path) => {
    sent.length = 0;
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).not.toContain("ScanCommand");
  });

  it("the CLI's list and due issue no Scan and find the transfers", async () => {
    sent.length = 0;
    const rows = await commands.list(target(), { partnerId: partner });
    const all = await commands.list(target(), {});
    const due = await commands.due(target(), "60", NOW);
    expect(rows.map((r) => r.customerTenantId)).toEqual(["t-1", "t-2"]);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(due.map((d) => d.daysLeft)).toEqual([10, 11, 40, 41]);
    expect(sent).not.toContain("ScanCommand");
  });

  it("the home page reads the summaries once: their partners name the risk chart's reads", async () => {
    for (const path of ["/", "/?status=COMPLETED"]) {
      queried.length = 0;
      const response = await get(path);
      expect(response.status).toBe(200);
      const count = (index: string) => queried.filter((name) => name === index).length;
      expect(count(LIST_INDEX.indexName)).toBe(LIST_SHARDS);
      expect(count(PARTNER_ENTRY_INDEX.indexName)).toBe(1);
      // The chart does not follow the list's filter: the 4 originals ending within 120 days.
      expect(String(response.body)).toContain("4 originals end in the next 120 days");
    }
  });

  it("a transfer's page lists its history without reading an event's payload", async () => {
    const response = await get(`/api/transfers/${partner}/t-1`);
    const body = JSON.parse(String(response.body)) as { history: unknown[] };
    expect(body.history).toHaveLength(3);
  });
});

describe("ids no event can carry", () => {
  const long = "a".repeat(9_000);
  it.each([
    ["a 9,000-character partner id, page", `/transfers/${long}/t-1`],
    ["a 9,000-character customer id, API", `/api/transfers/${partner}/${long}`],
    ["a partner id outside ASCII, API", `/api/transfers/${encodeURIComponent("𐥡\u{F5936}")}/t-1`],
    [
      "a customer id with a leading space, page",
      `/transfers/${partner}/${encodeURIComponent(" t-1")}`,
    ],
  ])("%s: a 404 answered without reading the table", async (_, path) => {
    sent.length = 0;
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(sent).toEqual([]);
  });
});

describe("dates up to 9999-12-31", () => {
  it.each(["/api/due?now=9999-12-31", "/due?now=9999-11-01", "/?now=9999-12-31"])(
    "GET %s is answered, not a 500",
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
    },
  );

  it("cli due --now 9999-12-31 answers an empty list", async () => {
    expect(await commands.due(target(), undefined, "9999-12-31")).toEqual([]);
    expect(await commands.due(target(), "3650", "9999-12-31T23:59:59Z")).toEqual([]);
  });
});
