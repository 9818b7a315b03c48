/** Helpers for the reminder tests: a real local SES, an in-process publisher, stored transfers. */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { freePort } from "../../local/free-port.js";
import type { ExpiryApproaching } from "../../shared/events/details.js";
import { parseUpstreamEvent } from "../../shared/events/index.js";
import { originalSk, transferPk } from "../../shared/store/keys.js";
import { TransferStore } from "../../shared/store/transfer-store.js";
import type { EventPublisher, OutgoingEvent } from "../../shared/tracker/event-publisher.js";
import { LOCAL_CREDENTIALS } from "../support/dynamo.js";

export const THRESHOLDS = [60, 30, 14, 7, 1];

export type SentMail = {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { filename: string; contentType: string; content: string; size: number }[];
};

export type LocalSes = {
  client: SESv2Client;
  /** Mail the server kept, optionally only that sent to one address. */
  mail: (to?: string) => Promise<SentMail[]>;
  stop: () => Promise<void>;
};

/** Starts aws-ses-v2-local on a free loopback port with a real SESClient pointed at it. */
export async function startLocalSes(): Promise<LocalSes> {
  const require = createRequire(import.meta.url);
  type Factory = (config: { host: string; port: number }) => Promise<Server>;
  const mod = require("aws-ses-v2-local") as { default: Factory & { default?: Factory } };
  const factory = mod.default.default ?? mod.default;
  const port = await freePort();
  const server = await factory({ host: "127.0.0.1", port });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SESv2Client({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  return {
    client,
    mail: async (to) => {
      const response = await fetch(`${endpoint}/store`);
      const { emails } = (await response.json()) as { emails: SentMail[] };
      return to ? emails.filter((e) => e.destination.to.includes(to)) : emails;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Captures what the scan publishes, for handing straight to the notifier in-process. */
export class CapturingPublisher implements Pick<EventPublisher, "publish"> {
  /** `Expiry Approaching` details, in publishing order. */
  readonly events: ExpiryApproaching[] = [];
  /** Ids of the digests the scan handed to the notifier (`Reminder Digest Ready`). */
  readonly digests: string[] = [];
  /** When set, the next publish throws (a scan dying before its events are out). */
  failNext: Error | null = null;

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    for (const event of events) {
      if (event.detailType === "Expiry Approaching") this.events.push(event.detail);
      else if (event.detailType === "Reminder Digest Ready")
        this.digests.push(event.detail.digestId);
      else throw new Error(`unexpected ${event.detailType}`);
    }
  }

  take(): ExpiryApproaching[] {
    return this.events.splice(0, this.events.length);
  }

  takeDigests(): string[] {
    return this.digests.splice(0, this.digests.length);
  }
}

/** Stores raw upstream envelopes through the real TransferStore (as the handlers do). */
export async function store(
  db: DynamoDBDocumentClient,
  tableName: string,
  ...raws: unknown[]
): Promise<TransferStore> {
  const transfers = new TransferStore(db, tableName, THRESHOLDS);
  for (const raw of raws) await transfers.apply(parseUpstreamEvent(raw));
  return transfers;
}

/**
 * Stores envelopes as transfers written before the schemas refused control and bidi characters
 * in names (so the read side's own escaping can be tested): validated with those characters
 * masked, then stored with them.
 */
export async function storeLegacy(
  db: DynamoDBDocumentClient,
  tableName: string,
  ...raws: { detail: unknown }[]
): Promise<void> {
  const transfers = new TransferStore(db, tableName, THRESHOLDS);
  for (const raw of raws) {
    const event = parseUpstreamEvent({ ...raw, detail: mapStrings(raw.detail, mask) });
    await transfers.apply({
      ...event,
      detail: restoreStrings(event.detail, raw.detail),
    } as typeof event);
  }
}

const mask = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: masking control characters is the point
  text.replace(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u2028-\u202E\u2066-\u2069]/g, "?");

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

/** The parsed value with each string put back as it was in the raw one. */
function restoreStrings<T>(parsed: T, raw: unknown): T {
  if (typeof parsed === "string" && typeof raw === "string") return raw as T;
  if (Array.isArray(parsed) && Array.isArray(raw)) {
    return parsed.map((v, i) => restoreStrings(v, raw[i])) as T;
  }
  if (typeof parsed === "object" && parsed !== null && typeof raw === "object" && raw !== null) {
    const rawFields = raw as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, restoreStrings(v, rawFields[k])]),
    ) as T;
  }
  return parsed;
}

export async function originalItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: { partnerId: string; customerTenantId: string },
  subscriptionId: string,
): Promise<Record<string, unknown> | undefined> {
  const result = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: transferPk(key), sk: originalSk(subscriptionId) },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/** The calendar attachment of a sent email, decoded. */
export function calendarOf(mail: SentMail): string {
  const file = mail.attachments.find((a) => a.filename === "expiries.ics");
  if (!file) throw new Error("no expiries.ics attachment");
  return Buffer.from(file.content, "base64").toString("utf8");
}

/** A date `days` after `iso`'s UTC date, at midday UTC. */
export function daysAfter(iso: string, days: number): string {
  const day = Math.floor(Date.parse(iso) / 86_400_000) + days;
  return `${new Date(day * 86_400_000).toISOString().slice(0, 10)}T12:00:00Z`;
}
