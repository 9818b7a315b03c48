/**
 * The notifier (SPEC section 4): on `Reminder Digest Ready`, emails the partner one digest — every
 * original the scan run made due for that address — and records each reminder on its original
 * (`reminders`, listed by `show`). It trusts only the store: the event names a digest and nothing
 * else; the recipient is the digest's, and everything the email says is read from the original
 * items at sending time. A digest event the store does not know sends nothing.
 *
 * One email per digest, whatever duplicate deliveries happen; the digest item is the guard. The
 * steps, each its own module under ./notify/:
 * 1. take the send lease (notify/lease.ts);
 * 2. decide the rows at sending time (notify/rows-to-send.ts, the rule in notify/row-decision.ts);
 * 3. send the email (notify/send-email.ts); on an error before SES accepted it, give the lease back;
 * 4. record the digest SENT, then each row (notify/record.ts).
 *
 * The crash window: if the process dies after SES accepted the email and before step 4's first
 * write, the digest stays SENDING. Once the lease has expired, a retry of the delivery — or,
 * failing that, the next scan (scan/recover.ts) — sends it again: the partner gets the same
 * digest twice. The design leans to AT LEAST ONCE on purpose: a lost reminder can cost the
 * customer a renewal or a gap in service; a duplicate costs an extra email. The lease (60 s) is
 * longer than the notifier's Lambda timeout (30 s), so a live, slow sender is never overtaken.
 */
import { randomUUID } from "node:crypto";
import { renderDigest } from "../digest/email.js";
import { instantOf } from "../domain/time.js";
import { keyOf } from "./batch-get.js";
import type { DigestItem } from "./digests.js";
import type { DigestOutcome, NotifierContext, NotifierOptions } from "./notify/context.js";
import { readDigest, releaseLease, takeLease } from "./notify/lease.js";
import { recordRows, recordSent } from "./notify/record.js";
import { rowsToSend, type SendableRow } from "./notify/rows-to-send.js";
import { sendEmail } from "./notify/send-email.js";

export type { DigestOutcome, NotifierOptions } from "./notify/context.js";
export { ReminderInFlightError, SEND_LEASE_MS } from "./notify/lease.js";
export { DigestRecordError } from "./notify/record.js";
export type { DropReason } from "./notify/row-decision.js";
export { isSendingRateThrottle } from "./notify/send-email.js";

export class ReminderNotifier {
  private readonly ctx: NotifierContext;

  constructor(options: NotifierOptions) {
    this.ctx = { ...options, clock: options.clock ?? Date.now };
  }

  async sendDigest(digestId: string): Promise<DigestOutcome> {
    const ctx = this.ctx;
    const digest = await readDigest(ctx, digestId);
    if (!digest) return { kind: "skipped", reason: "unknownDigest" };
    if (digest.status === "SENT") {
      await recordRows(ctx, digest);
      return { kind: "duplicate" };
    }
    if (digest.status === "SUPERSEDED") return { kind: "skipped", reason: "superseded" };

    // 1. Lease.
    const token = randomUUID();
    const lease = await takeLease(ctx, digest, token);
    if (lease.kind === "sent") {
      await recordRows(ctx, lease.digest);
      return { kind: "duplicate" };
    }
    if (lease.kind === "superseded") return { kind: "skipped", reason: "superseded" };

    // 2. Rows, and 3. send.
    const now = sendingClock(digest, ctx.clock());
    let messageId: string;
    let rows: SendableRow[];
    let dropped: number;
    try {
      ({ rows, dropped } = await rowsToSend(ctx, digest, now));
      if (rows.length === 0) {
        await recordSent(ctx, digest, token, null, [], now);
        return { kind: "skipped", reason: "nothingToSend", dropped };
      }
      const email = renderDigest(
        rows.map((r) => r.row),
        { now: new Date(now), thresholds: ctx.thresholds },
      );
      messageId = await sendEmail(ctx, digest.partnerEmail, email);
    } catch (error) {
      // Nothing was sent (SES did not accept it): give the lease back so a retry sends at once.
      await releaseLease(ctx, digest, token);
      throw error;
    }

    // 4. Record. A crash before this sends the digest again after the lease expires.
    const sent = await recordSent(
      ctx,
      digest,
      token,
      messageId,
      rows.map((r) => r.index),
      now,
    );
    if (sent) await recordRows(ctx, sent, new Map(rows.map((r) => [keyOf(r.claim), r.claim])));
    return { kind: "sent", messageId, rows: rows.length, dropped };
  }
}

/**
 * The sending time on the scan's clock: the scan's `now` advanced by the wall time since the
 * digest was formed (in production the two clocks agree; `scan --now` simulates a date).
 */
function sendingClock(digest: DigestItem, wallClock: number): number {
  const elapsed = Math.max(0, wallClock - Date.parse(digest.createdAt));
  return (digest.scanClock ? instantOf(digest.scanClock) : Date.parse(digest.createdAt)) + elapsed;
}
