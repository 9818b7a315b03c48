/**
 * Reminder benchmark (issue 5): a table of 100,000 original subscriptions of which 1% are due.
 * `scanReadRatio` = items the expiry scan reads ÷ items due (goal <= 1.05), beside
 * `naiveScanReadRatio` for a full-table Scan finding the same items; plus the scan's wall time
 * and the read capacity it consumed.
 *
 * The original items are written exactly as the store writes them: records from the real domain
 * (applyEvent -> deriveView -> originalRecords) and the store's own `originalUpdate`, turned
 * into a Put item (an update of a missing item creates exactly its SET attributes), so that the
 * load can use BatchWriteItem.
 */
import { randomUUID } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  paginateScan,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { DEFAULT_REMINDER_THRESHOLDS } from "../shared/config/thresholds.js";
import { applyEvent, emptyState } from "../shared/domain/state.js";
import { utcDate } from "../shared/domain/time.js";
import { deriveView } from "../shared/domain/view.js";
import { DETAIL_TYPES, parseUpstreamEvent, SOURCES } from "../shared/events/index.js";
import { runExpiryScan } from "../shared/reminders/expiry-scan.js";
import { documentClient } from "../shared/store/clients.js";
import { createTableIfMissing } from "../shared/store/create-table.js";
import { transferPk } from "../shared/store/keys.js";
import { originalRecords } from "../shared/store/original-records.js";
import { originalUpdate } from "../shared/store/original-writes.js";
import { backoffMs, sleep } from "../shared/store/retry.js";

const ORIGINALS = 100_000;
const PER_TRANSFER = 10;
/** One original in DUE_EVERY is due at the scan's clock. */
const DUE_EVERY = 100;
const WRITE_CONCURRENCY = 32;
const NOW = "2026-05-01T06:00:00Z";
const DAY_MS = 86_400_000;

export type ReminderFigures = {
  scanReadRatio: number;
  naiveScanReadRatio: number;
  scanMs: number;
  scanConsumedRcu: number;
};

export async function benchReminders(endpoint: string): Promise<ReminderFigures> {
  const config = {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  };
  const admin = new DynamoDBClient(config);
  const db = documentClient(config);
  const tableName = `bench-reminders-${randomUUID().slice(0, 8)}`;
  await createTableIfMissing(admin, tableName);
  try {
    const thresholds = DEFAULT_REMINDER_THRESHOLDS.split(",").map(Number);
    const items = originalItems(tableName, thresholds);
    await batchWriteAll(db, tableName, items);

    const naive = await naiveScan(db, tableName);

    let emitted = 0;
    const started = performance.now();
    const result = await runExpiryScan({
      db,
      tableName,
      thresholds,
      now: NOW,
      publisher: {
        publish: async (events) => {
          // Count reminders, not the digests' hand-over events published beside them.
          emitted += events.filter((e) => e.detailType === DETAIL_TYPES.expiryApproaching).length;
        },
      },
    });
    const scanMs = performance.now() - started;
    const expectedDue = ORIGINALS / DUE_EVERY;
    if (result.due !== expectedDue || emitted !== expectedDue || naive.due !== expectedDue) {
      throw new Error(
        `reminder bench: expected ${expectedDue} due, the scan found ${result.due} (emitted ${emitted}), the naive scan ${naive.due}`,
      );
    }
    return {
      scanReadRatio: round(result.itemsRead / result.due),
      naiveScanReadRatio: round(naive.scanned / naive.due),
      scanMs: Math.round(scanMs),
      scanConsumedRcu: round(result.consumedReadCapacity),
    };
  } finally {
    await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    admin.destroy();
    db.destroy();
  }
}

/** The ORIGINAL items of ORIGINALS / PER_TRANSFER transfers, as the store would write them. */
function originalItems(tableName: string, thresholds: number[]): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const today = Math.floor(Date.parse(NOW) / DAY_MS);
  for (let t = 0; t < ORIGINALS / PER_TRANSFER; t++) {
    const partnerId = `partner-${t % 97}`;
    const customerTenantId = `tenant-${t}`;
    const subscriptions = Array.from({ length: PER_TRANSFER }, (_, i) => {
      const n = t * PER_TRANSFER + i;
      // Due: 20 days left (the 30-day threshold is crossed). Others: 90 to 690 days away.
      const daysLeft = n % DUE_EVERY === 0 ? 20 : 90 + (n % 600);
      return {
        subscriptionId: `sub-${n}`,
        offerId: "offer-m365-business-standard",
        offerName: "Microsoft 365 Business Standard",
        quantity: 1 + (n % 50),
        commitmentEndDate: `${utcDate(new Date((today + daysLeft) * DAY_MS).toISOString())}T00:00:00Z`,
        autoRenewEnabled: n % 3 === 0,
        termDuration: "P1Y",
      };
    });
    const event = parseUpstreamEvent({
      id: `bench-${t}`,
      "detail-type": DETAIL_TYPES.invitationSent,
      source: SOURCES.upstream,
      time: "2026-01-05T09:00:00Z",
      detail: {
        partnerId,
        customerTenantId,
        partnerCountry: "GB",
        partnerEmail: "transfers@partner.example",
        customerName: `Customer ${t}`,
        customerCountry: "GB",
        sentAt: "2026-01-05T09:00:00Z",
        subscriptions,
      },
    });
    const state = applyEvent(emptyState(partnerId, customerTenantId), event);
    const pk = transferPk({ partnerId, customerTenantId });
    for (const record of originalRecords(state, deriveView(state), thresholds).values()) {
      items.push(itemFromUpdate(originalUpdate(tableName, pk, 1, record, false)));
    }
  }
  return items;
}

/**
 * The item an UpdateItem creates when the key does not exist yet: the key plus every `SET`
 * assignment (`REMOVE` of absent attributes does nothing). Only plain `name = :value`
 * assignments are accepted, which is all the store's original update uses.
 */
function itemFromUpdate(update: UpdateCommandInput & { UpdateExpression: string }) {
  const setClause = /^SET (.*?)(?: REMOVE .*)?$/.exec(update.UpdateExpression)?.[1];
  if (!setClause) throw new Error(`unexpected update: ${update.UpdateExpression}`);
  const item: Record<string, unknown> = { ...update.Key };
  for (const assignment of setClause.split(", ")) {
    const match = /^(#?\w+) = (:\w+)$/.exec(assignment.trim());
    if (!match) throw new Error(`unexpected assignment: ${assignment}`);
    const [, target = "", value = ""] = match;
    const name = target.startsWith("#") ? update.ExpressionAttributeNames?.[target] : target;
    if (!name) throw new Error(`unknown attribute name ${target}`);
    item[name] = update.ExpressionAttributeValues?.[value];
  }
  return item;
}

async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const chunk = items.slice(next, next + 25);
      next += 25;
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        const result = await db.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
        if (pending.length > 0) await sleep(backoffMs(attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

/** What a scan without the index would do: read every item, keep those due by today. */
async function naiveScan(db: DynamoDBDocumentClient, tableName: string) {
  let scanned = 0;
  let due = 0;
  const pages = paginateScan(
    { client: db },
    {
      TableName: tableName,
      FilterExpression: "reminderDue < :bound",
      ExpressionAttributeValues: { ":bound": `${utcDate(NOW)}$` },
    },
  );
  for await (const page of pages) {
    scanned += page.ScannedCount ?? 0;
    due += page.Count ?? 0;
  }
  return { scanned, due };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
