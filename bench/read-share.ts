/**
 * readShareOfScan (SPEC section 8): the read units one request consumes, divided by the read
 * units of one full Scan of the same table, on a table with history — 1,000 transfers of 10
 * partners, 20 originals and 60 events each, written through the real write path. Both are
 * measured with ReturnConsumedCapacity TOTAL in the same run. The requests are the web app's
 * own routes, called in-process with a metered client: `/` (list and risk chart), `/due`, a
 * partner's calendar feed and one transfer's page. Goal: each ≤ 0.05. On the same table: what a
 * month of one partner's reads costs, and `/` in headless Chromium (webListMs ≤ 1,000).
 *
 * `npm run bench -- readShare` runs this part alone.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { paginateScan } from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../shared/concurrency.js";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { parseUpstreamEvent } from "../shared/events/index.js";
import type { WebRoute } from "../shared/http/routes.js";
import { documentClient } from "../shared/store/clients.js";
import { TransferStore } from "../shared/store/transfer-store.js";
import { calendarRoutes, jsonApiRoutes, pageRoutes } from "../shared/web/app-routes.js";
import { calendarToken } from "../shared/web/calendar-feed.js";
import {
  accepted,
  invitationSent,
  original,
  provisioned,
  updated,
} from "../test/support/events.js";
import { getRoute } from "../test/support/web-routes.js";
import { PRICES } from "./capacity.js";
import { type BenchDynamo, progress } from "./harness.js";
import { measureWebList } from "./web.js";

const THRESHOLDS = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
const DAY_MS = 86_400_000;
/** The SPEC's table; `READ_SHARE_TRANSFERS_PER_PARTNER` makes a smaller one for a quick look. */
export const HISTORY_TABLE = {
  partners: 10,
  transfersPerPartner: Number(process.env.READ_SHARE_TRANSFERS_PER_PARTNER ?? 100),
  originals: 20,
  events: 60,
};

export type ReadShare = { calendar: number; due: number; home: number; transfer: number };

/** A month of one partner's reads (SPEC section 8): a calendar polled every 3 hours and 100
 * page views a day, taken as `/`, `/due` and a transfer's page in equal parts. */
export const READ_MONTH = { calendarPolls: 8 * 30, pageViews: 100 * 30 } as const;

export type ReadCost = { calendar: number; pages: number; total: number };

/** USD of the read units of READ_MONTH, at on-demand prices. */
export function monthlyReadCost(units: ReadShare): ReadCost {
  const usd = (rru: number) => (rru * PRICES.perMillionRru) / 1e6;
  const calendar = usd(READ_MONTH.calendarPolls * units.calendar);
  const pages = usd((READ_MONTH.pageViews * (units.home + units.due + units.transfer)) / 3);
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return { calendar: round(calendar), pages: round(pages), total: round(calendar + pages) };
}

/** A document client that asks for, and adds up, the read units every request consumed. */
export function readMeter(config: BenchDynamo["clientConfig"]) {
  const db: DynamoDBDocumentClient = documentClient(config);
  let units = 0;
  const commands = new Set<string>();
  db.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      commands.add(String(context.commandName));
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
      }[];
      units += list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      return result;
    },
    { step: "initialize", name: "benchReadMeter" },
  );
  return {
    db,
    commands,
    take: () => {
      const taken = units;
      units = 0;
      commands.clear();
      return taken;
    },
  };
}

/** One transfer's 60 events: the invitation, the acceptance, 12 replacements, 46 updates. */
function transferEvents(partnerId: string, index: number, now: number) {
  const key = { partnerId, customerTenantId: `tenant-${index}-${randomUUID().slice(0, 8)}` };
  const at = (days: number) => new Date(now + days * DAY_MS).toISOString();
  const subscriptions = Array.from({ length: HISTORY_TABLE.originals }, (_, j) =>
    original({
      subscriptionId: `${key.customerTenantId}-o${j}`,
      offerId: `offer-${j % 4}`,
      offerName: `Microsoft 365 plan ${j % 4}`,
      quantity: 10 + j,
      commitmentEndDate: at(1 + ((index * 13 + j * 41) % 700)).slice(0, 10),
      autoRenewEnabled: j % 3 === 0,
      termDuration: "P3Y",
    }),
  );
  const events: unknown[] = [
    invitationSent({ ...key, customerName: `Customer ${index}`, sentAt: at(-90), subscriptions }),
    accepted({ ...key, acceptedAt: at(-80) }),
  ];
  for (let j = 0; j < 12; j++) {
    events.push(
      provisioned({
        ...key,
        subscriptionId: `${key.customerTenantId}-n${j}`,
        offerId: `offer-${j % 4}`,
        quantity: 10 + j,
        provisionedAt: at(-70 + j),
        replacesSubscriptionId: `${key.customerTenantId}-o${j}`,
      }),
    );
  }
  while (events.length < HISTORY_TABLE.events) {
    const n = events.length;
    events.push(
      updated({
        ...key,
        subscriptionId: `${key.customerTenantId}-o${n % HISTORY_TABLE.originals}`,
        updatedAt: new Date(now - 50 * DAY_MS + n * 60_000).toISOString(),
        autoRenewEnabled: n % 2 === 0,
        quantity: 10 + (n % 7),
      }),
    );
  }
  return { key, events: events.map(parseUpstreamEvent) };
}

/** Writes the table with history through the store's apply; returns one transfer's key. */
export async function seedHistoryTable(bench: BenchDynamo, tableName: string) {
  const db = documentClient(bench.clientConfig);
  const store = new TransferStore(db, tableName, THRESHOLDS);
  const now = Date.now();
  const transfers = Array.from(
    { length: HISTORY_TABLE.partners * HISTORY_TABLE.transfersPerPartner },
    (_, i) => transferEvents(`rs-partner-${i % HISTORY_TABLE.partners}`, i, now),
  );
  let done = 0;
  await mapLimited(transfers, 24, async ({ events }) => {
    for (const event of events) await store.apply(event);
    if (++done % 100 === 0) progress(`readShare: ${done} transfers written`);
  });
  db.destroy();
  const first = transfers[0];
  if (!first) throw new Error("no transfer seeded");
  return first.key;
}

async function call(routes: WebRoute[], path: string): Promise<number> {
  const response = await getRoute(routes, path);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return response.status;
}

export type ReadShareFigures = {
  readShareOfScan: ReadShare;
  /** The units behind the shares; `spaHome` is the deployed app's `/`: its two API calls. */
  readUnits: ReadShare & { fullScan: number; spaHome: number };
  /** READ_MONTH in USD. */
  readCostPerPartnerMonth: ReadCost;
  /** `/` on the same table (1,000 transfers with history), as webListMs measures it. */
  webListMsWithHistory: number;
};

export async function benchReadShare(bench: BenchDynamo): Promise<ReadShareFigures> {
  const tableName = await bench.newTable(`bench-read-share-${randomUUID().slice(0, 8)}`);
  const transfers = HISTORY_TABLE.partners * HISTORY_TABLE.transfersPerPartner;
  progress(`readShare: writing ${transfers} transfers x ${HISTORY_TABLE.events} events`);
  const key = await seedHistoryTable(bench, tableName);
  const meter = readMeter(bench.clientConfig);
  const secret = Buffer.alloc(32, 7);
  const deps = {
    source: { db: meter.db, tableName },
    calendarSecret: async () => secret,
    thresholds: THRESHOLDS,
  };
  const routes = [...pageRoutes(deps), ...calendarRoutes(deps), ...jsonApiRoutes(deps)];
  const requests: Record<keyof ReadShare, string> = {
    home: "/",
    due: "/due",
    calendar: `/calendar/${key.partnerId}.ics?token=${calendarToken(secret, key.partnerId)}`,
    transfer: `/transfers/${key.partnerId}/${key.customerTenantId}`,
  };
  meter.take();
  for await (const _ of paginateScan({ client: meter.db }, { TableName: tableName })) {
    // read every page: the units are what a full Scan consumes
  }
  const fullScan = meter.take();
  const units = {} as ReadShare;
  for (const [name, path] of Object.entries(requests) as [keyof ReadShare, string][]) {
    await call(routes, path);
    units[name] = meter.take();
  }
  // The deployed app renders `/` in the browser from these two API answers.
  await Promise.all([call(routes, "/api/transfers"), call(routes, "/api/due?within=120")]);
  const spaHome = meter.take();
  const share = Object.fromEntries(
    Object.entries(units).map(([name, u]) => [name, Math.round((u / fullScan) * 10_000) / 10_000]),
  ) as ReadShare;
  meter.db.destroy();
  progress("readShare: / in headless Chromium on the table with history");
  const { webListMs } = await measureWebList(bench, tableName, transfers);
  return {
    readShareOfScan: share,
    readUnits: { ...units, fullScan, spaHome },
    readCostPerPartnerMonth: monthlyReadCost(units),
    webListMsWithHistory: webListMs,
  };
}
