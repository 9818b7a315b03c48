import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type { UpstreamEvent } from "../events/index.js";
import { isConditionalFailure } from "./errors.js";
import { INBOX_PREFIX, inboxSk } from "./keys.js";
import type { TransactItem } from "./original-writes.js";
import { compressJson, decompressJson } from "./state-codec.js";

/**
 * The inbox of a contended transfer: an event whose commit lost a race is put here (one item,
 * under the transfer's partition) so that whichever delivery commits next folds it together
 * with its own. A burst of one transfer's events is then applied in a few large commits instead
 * of one commit per event, each racing all the others.
 */
export class Inbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts the event in the inbox; a copy already there (a concurrent redelivery) is kept. */
  async put(pk: string, event: UpstreamEvent): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: inboxSk(event.id),
            eventId: event.id,
            receivedAt: new Date().toISOString(),
            event: compressJson(event),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }

  /** Up to `limit` waiting events of the transfer, other than `exceptId`, oldest id first. */
  async waiting(pk: string, exceptId: string, limit: number): Promise<UpstreamEvent[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": pk, ":prefix": INBOX_PREFIX },
        ConsistentRead: true,
        Limit: limit + 1,
      }),
    );
    return (result.Items ?? [])
      .filter((item) => item.eventId !== exceptId)
      .slice(0, limit)
      .map((item) => decompressJson(item.event as Uint8Array) as UpstreamEvent);
  }

  /** Drops an inbox item left behind by an event that was folded another way. */
  async discard(pk: string, eventId: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: inboxSk(eventId) } }),
    );
  }

  /** The transaction item that removes an event from the inbox once it is folded. */
  remove(pk: string, eventId: string): TransactItem {
    return { Delete: { TableName: this.tableName, Key: { pk, sk: inboxSk(eventId) } } };
  }
}
