/**
 * The reminder digests' test bed: the real scan, the real notifier, real DynamoDB Local (a fresh
 * table per test) and the real local SES (aws-ses-v2-local, SES v2 with attachments), whose
 * `/store` is read back. The tables and clients are live bindings, set by the hooks.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { SOURCES } from "../../shared/events/index.js";
import { runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import { type NotifierOptions, ReminderNotifier } from "../../shared/reminders/notifier.js";
import { transferPk } from "../../shared/store/keys.js";
import { readTransferView } from "../../shared/store/transfer-read.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, newTransferKey, original } from "../support/events.js";
import { CapturingPublisher, type LocalSes, startLocalSes, store, THRESHOLDS } from "./support.js";

export const END = "2026-06-30T00:00:00Z";
export const AT_60 = "2026-05-01T06:00:00Z";
export const T0 = Date.parse(AT_60);
export const DAY_MS = 86_400_000;
export const SENDER = "reminders@csp-transfers.example";

export let db: Awaited<ReturnType<typeof freshTable>>["db"];
export let tableName: string;
export let ses: LocalSes;
export let publisher: CapturingPublisher;

/** Registers the hooks: one local SES per file, a fresh table and publisher per test. */
export function useDigestHarness(): void {
  beforeAll(async () => {
    ses = await startLocalSes();
  });
  beforeEach(async () => {
    ({ db, tableName } = await freshTable("digest"));
    publisher = new CapturingPublisher();
  });
  afterAll(async () => {
    await ses?.stop();
  });
}

export const notifier = (extra: Partial<NotifierOptions> = {}) =>
  new ReminderNotifier({
    db,
    tableName,
    ses: ses.client,
    senderEmail: SENDER,
    thresholds: THRESHOLDS,
    clock: () => T0,
    ...extra,
  });

export const mailbox = () => `partner-${randomUUID().slice(0, 8)}@partner.example`;

/** A stored transfer for a partner address; returns its key. */
export async function transfer(
  partnerEmail: string,
  subs: Parameters<typeof original>[0][],
  detail: Record<string, unknown> = {},
) {
  const key = newTransferKey("mail");
  await store(
    db,
    tableName,
    invitationSent({
      ...key,
      partnerEmail,
      subscriptions: subs.map((s) => original(s)),
      ...detail,
    }),
  );
  return key;
}

/** Runs the real scan (wall clock = the scan's clock) and returns the digests it formed. */
export async function scan(now = AT_60, clock = Date.parse(now)): Promise<string[]> {
  await runExpiryScan({
    db,
    tableName,
    publisher,
    thresholds: THRESHOLDS,
    now,
    clock: () => clock,
  });
  return publisher.takeDigests();
}

export function envelope(detailType: string, detail: unknown) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: SOURCES.tracker,
    account: "123456789012",
    time: AT_60,
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

export const quietLogger = () => new Logger({ serviceName: "test", logLevel: "ERROR" });

export async function remindersOf(key: { partnerId: string; customerTenantId: string }) {
  const view = await readTransferView(db, tableName, key);
  return Object.fromEntries(
    (view?.subscriptions ?? []).map((s) => [
      s.subscriptionId,
      s.reminders.map((r) => r.thresholdDays),
    ]),
  );
}

export async function claimStatus(
  key: { partnerId: string; customerTenantId: string },
  sk: string,
) {
  const result = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: transferPk(key), sk },
      ConsistentRead: true,
    }),
  );
  return result.Item?.status as string | undefined;
}
