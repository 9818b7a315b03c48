/** What every step of the notifier is given: its settings and its clock. */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

type NotifierLogger = Pick<Logger, "info" | "warn">;

export type NotifierOptions = {
  db: DynamoDBDocumentClient;
  tableName: string;
  ses: Pick<SESv2Client, "send">;
  senderEmail: string;
  configurationSet?: string | undefined;
  /** The configured reminder thresholds: a claim naming any other is not sent. */
  thresholds: readonly number[];
  /** Wall clock in epoch ms (leases, `sentAt`, days left). */
  clock?: () => number;
  leaseMs?: number;
  throttleRetries?: number;
  /** Base of the full-jitter backoff between throttled sends. */
  throttleBackoffMs?: number;
  logger?: NotifierLogger;
};

export type NotifierContext = NotifierOptions & { clock: () => number };

export type DigestOutcome =
  | { kind: "sent"; messageId: string; rows: number; dropped: number }
  | { kind: "duplicate" }
  | { kind: "skipped"; reason: "unknownDigest" | "superseded" | "nothingToSend"; dropped?: number };
