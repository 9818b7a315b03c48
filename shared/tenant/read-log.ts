/**
 * When each transfer's tenant was last read, or why it could not be (SPEC section 10: the
 * transfer page shows it). Kept outside the fold on purpose: an unreadable tenant must change
 * nothing about the transfer's view and add nothing to its history, and an unchanged read is not
 * emitted as an event at all. One small item per transfer in its own partition, `sk`
 * `TENANT#READ`, overwritten by each reconcile (one UpdateItem per tenant read).
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type TransferKey, transferPk } from "../store/keys.js";

export const TENANT_READ_SK = "TENANT#READ";

export type TenantReadRecord = {
  /** When the last read was tried. */
  attemptedAt: string;
  outcome: "read" | "unreadable";
  /** Why the last attempt could not read the tenant; null after a read. */
  reason: string | null;
  /** The last successful read; null if none ever was. */
  lastReadAt: string | null;
};

export class TenantReadLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    key: TransferKey,
    at: string,
    outcome: { kind: "read" } | { kind: "unreadable"; reason: string },
  ): Promise<void> {
    const read = outcome.kind === "read";
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: transferPk(key), sk: TENANT_READ_SK },
        UpdateExpression: `SET attemptedAt = :at, outcome = :outcome, reason = :reason${read ? ", lastReadAt = :at" : ""}`,
        ExpressionAttributeValues: {
          ":at": at,
          ":outcome": outcome.kind,
          ":reason": read ? null : outcome.reason.slice(0, 1_000),
        },
      }),
    );
  }

  async get(key: TransferKey): Promise<TenantReadRecord | null> {
    const answer = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: transferPk(key), sk: TENANT_READ_SK },
      }),
    );
    const item = answer.Item;
    if (!item) return null;
    return {
      attemptedAt: String(item.attemptedAt),
      outcome: item.outcome === "read" ? "read" : "unreadable",
      reason: typeof item.reason === "string" ? item.reason : null,
      lastReadAt: typeof item.lastReadAt === "string" ? item.lastReadAt : null,
    };
  }
}
