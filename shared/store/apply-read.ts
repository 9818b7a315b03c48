/**
 * The write side's one read per attempt: a consistent BatchGet of the transfer's state, the
 * event's marker and its inbox item (README "Data model", "Apply an event").
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TransferStatus } from "../events/index.js";
import type { StatusChange } from "./fold-batch.js";
import { EVENT_PREFIX, eventSk, INBOX_PREFIX, inboxSk, STATE_SK } from "./keys.js";
import { backoffMs, ContentionError, sleep } from "./retry.js";

const MAX_READ_ATTEMPTS = 8;

export type StateItem = {
  version: number;
  /** Absent in a light read. */
  state?: Uint8Array;
  status: TransferStatus;
  /** Until when (epoch ms) a waiting delivery holds the right to fold the inbox. */
  foldLeaseUntil?: number;
  /** Until when (epoch ms) new deliveries should join the inbox rather than race. */
  inboxBusyUntil?: number;
  /** False while some original items may still lag the state (a large invitation's overflow). */
  originalsSynced: boolean;
};

export type ApplyRead = {
  stateItem: StateItem | undefined;
  marker: { statusChange: StatusChange | null } | undefined;
  /** The event waits in the inbox (a previous attempt of this delivery put it there). */
  inInbox: boolean;
};

/**
 * One consistent BatchGet of the state, the event's marker and its inbox item. A light read
 * leaves out the state's bytes (a waiting delivery only needs the version). Unprocessed keys
 * are read again with backoff, a bounded number of times.
 */
export async function readForApply(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  eventId: string,
  light: boolean,
): Promise<ApplyRead> {
  const keys = [
    { pk, sk: STATE_SK },
    { pk, sk: eventSk(eventId) },
    { pk, sk: inboxSk(eventId) },
  ];
  const projection = light
    ? {
        ProjectionExpression: "sk, version, originalsSynced, statusChange, foldLeaseUntil, #status",
        ExpressionAttributeNames: { "#status": "status" },
      }
    : {};
  let pending: Record<string, unknown>[] = keys;
  const found: Record<string, unknown>[] = [];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === MAX_READ_ATTEMPTS) {
      throw new ContentionError(
        `${pending.length} key(s) of ${pk} left unprocessed after ${MAX_READ_ATTEMPTS} reads`,
      );
    }
    if (attempt > 0) await sleep(backoffMs(attempt - 1));
    const result = await db.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...projection } },
      }),
    );
    found.push(...(result.Responses?.[tableName] ?? []));
    pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  const stateRaw = found.find((item) => item.sk === STATE_SK);
  const markerRaw = found.find((item) => String(item.sk).startsWith(EVENT_PREFIX));
  const stateItem: StateItem | undefined = stateRaw
    ? {
        version: Number(stateRaw.version),
        ...(stateRaw.state ? { state: stateRaw.state as Uint8Array } : {}),
        status: stateRaw.status as TransferStatus,
        ...(stateRaw.foldLeaseUntil ? { foldLeaseUntil: Number(stateRaw.foldLeaseUntil) } : {}),
        ...(stateRaw.inboxBusyUntil ? { inboxBusyUntil: Number(stateRaw.inboxBusyUntil) } : {}),
        originalsSynced: stateRaw.originalsSynced !== false,
      }
    : undefined;
  const marker = markerRaw
    ? { statusChange: (markerRaw.statusChange as StatusChange | undefined) ?? null }
    : undefined;
  const inInbox = found.some((item) => String(item.sk).startsWith(INBOX_PREFIX));
  return { stateItem, marker, inInbox };
}
