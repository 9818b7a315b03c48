/** The expiry scan's test bed: real DynamoDB Local, a fresh table per test (live bindings). */
import { beforeEach, expect } from "vitest";
import { type ExpiryScanOptions, runExpiryScan } from "../../shared/reminders/expiry-scan.js";
import { freshTable } from "../support/dynamo.js";
import { invitationSent, newTransferKey, original } from "../support/events.js";
import { CapturingPublisher, originalItem, store, THRESHOLDS } from "./support.js";

export const END = "2026-06-30T00:00:00Z";
export const AT_60 = "2026-05-01T06:00:00Z";
export const AT_30 = "2026-05-31T06:00:00Z";

export let db: Awaited<ReturnType<typeof freshTable>>["db"];
export let tableName: string;
export let publisher: CapturingPublisher;

/** Registers the hook: a fresh table and publisher per test. */
export function useScanHarness(): void {
  beforeEach(async () => {
    ({ db, tableName } = await freshTable("scan"));
    publisher = new CapturingPublisher();
  });
}

export const scan = (now: string, extra: Partial<ExpiryScanOptions> = {}) =>
  runExpiryScan({ db, tableName, publisher, thresholds: THRESHOLDS, now, ...extra });

export const counts = (r: Awaited<ReturnType<typeof scan>>) => ({
  due: r.due,
  emitted: r.emitted,
  alreadyReminded: r.alreadyReminded,
  skipped: r.skipped,
});

/** The original item is still there, and out of the reminder index (not merely missing). */
export async function expectOutOfIndex(
  key: { partnerId: string; customerTenantId: string },
  id: string,
) {
  const item = await originalItem(db, tableName, key, id);
  expect(item).toMatchObject({ subscriptionId: id, itemType: "ORIGINAL" });
  expect(item).not.toHaveProperty("reminderDue");
  expect(item).not.toHaveProperty("reminderShard");
}

export async function oneTransfer(subs: Parameters<typeof original>[0][], detail = {}) {
  const key = newTransferKey("scan");
  await store(
    db,
    tableName,
    invitationSent({ ...key, subscriptions: subs.map((s) => original(s)), ...detail }),
  );
  return key;
}
