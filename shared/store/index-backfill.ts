/**
 * Gives items written before the summary and partner-entry indexes existed the attributes those
 * indexes are keyed on (README "Deploying": migrating a deployed table). A one-off operator
 * job, run once after the first migration step (`cli migrate-table --stack`) and by the local
 * runtime when it upgrades an older data folder: it reads the table with a parallel Scan — the
 * one Scan in the product, never on a request's path — and updates only items that lack their
 * keys.
 * Writes are conditional, so a record rewritten meanwhile by an event (which writes its keys
 * itself) is left alone.
 */
import {
  type DynamoDBDocumentClient,
  paginateScan,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapLimited } from "../concurrency.js";
import { isConditionalFailure } from "./errors.js";
import {
  EVENT_PREFIX,
  entryPartnerOf,
  historyEntryKey,
  listKeyOf,
  listShardOf,
  ORIGINAL_PREFIX,
  STATE_SK,
  transferKeyOfPk,
} from "./keys.js";
import { expiryEntryOf } from "./original-writes.js";
import { LIST_INDEX, PARTNER_ENTRY_INDEX, TABLE_KEYS } from "./table-definition.js";

/**
 * Every top-level attribute a backfill update names (keys, the index keys it sets, the version
 * its condition reads): the operators' policy allows UpdateItem on these and no others.
 */
export const BACKFILL_ATTRIBUTES = [
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  LIST_INDEX.partitionKey,
  LIST_INDEX.sortKey,
  PARTNER_ENTRY_INDEX.partitionKey,
  PARTNER_ENTRY_INDEX.sortKey,
  "stateVersion",
] as const;

export type BackfillResult = { scanned: number; updated: number };

const SEGMENTS = 4;
const WRITE_CONCURRENCY = 16;

/** The update that gives one stored item its index keys, or null when it needs none. */
export function backfillUpdate(
  tableName: string,
  item: Record<string, unknown>,
): UpdateCommandInput | null {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const key = transferKeyOfPk(pk);
  if (!key) return null;
  const set = (values: Record<string, string>, condition: string, extra = {}) => ({
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: `SET ${Object.keys(values)
      .map((name) => `${name} = :${name}`)
      .join(", ")}`,
    ConditionExpression: condition,
    ExpressionAttributeValues: {
      ...Object.fromEntries(Object.entries(values).map(([name, v]) => [`:${name}`, v])),
      ...extra,
    },
  });
  if (sk === STATE_SK) {
    if (item.listShard !== undefined) return null;
    return set(
      { listShard: listShardOf(key.partnerId), listKey: listKeyOf(key) },
      "attribute_exists(pk)",
    );
  }
  if (sk.startsWith(EVENT_PREFIX)) {
    if (item.entryKey !== undefined) return null;
    return set(
      {
        entryPartner: entryPartnerOf(key.partnerId),
        entryKey: historyEntryKey(key.customerTenantId, String(item.eventId)),
      },
      "attribute_exists(pk)",
    );
  }
  if (sk.startsWith(ORIGINAL_PREFIX)) {
    if (item.entryKey !== undefined) return null;
    const entry = expiryEntryOf({
      partnerId: key.partnerId,
      customerTenantId: key.customerTenantId,
      subscriptionId: String(item.subscriptionId),
      commitmentEndDate: String(item.commitmentEndDate),
      state: item.state as "ACTIVE",
      transferRemindable: item.transferRemindable === true,
    });
    if (!entry) return null;
    return set(entry, "stateVersion = :seen", { ":seen": item.stateVersion ?? -1 });
  }
  return null;
}

/** `onPage` hears the running totals after each page of the Scan (progress on long tables). */
export async function backfillIndexKeys(
  db: DynamoDBDocumentClient,
  tableName: string,
  onPage: (progress: BackfillResult) => void = () => {},
): Promise<BackfillResult> {
  const result: BackfillResult = { scanned: 0, updated: 0 };
  const segment = async (index: number) => {
    const pages = paginateScan(
      { client: db },
      {
        TableName: tableName,
        Segment: index,
        TotalSegments: SEGMENTS,
        ProjectionExpression:
          "pk, sk, eventId, subscriptionId, commitmentEndDate, #state, transferRemindable, stateVersion, listShard, entryKey",
        ExpressionAttributeNames: { "#state": "state" },
      },
    );
    for await (const page of pages) {
      const items = page.Items ?? [];
      result.scanned += items.length;
      const updates = items.flatMap((item) => {
        const update = backfillUpdate(tableName, item);
        return update ? [update] : [];
      });
      await mapLimited(updates, WRITE_CONCURRENCY, async (update) => {
        try {
          await db.send(new UpdateCommand(update));
          result.updated++;
        } catch (error) {
          if (!isConditionalFailure(error)) throw error;
        }
      });
      onPage({ ...result });
    }
  };
  await Promise.all(Array.from({ length: SEGMENTS }, (_, i) => segment(i)));
  return result;
}
