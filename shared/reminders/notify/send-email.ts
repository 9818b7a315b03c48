/**
 * Step 3 of the notifier: send the digest's email with SES v2 (simple content, the `expiries.ics`
 * attachment, the configured sender and configuration set). SES's sending-rate throttling is
 * retried with backoff beyond the SDK's own retries; any other error is thrown (the caller gives
 * the lease back: nothing was sent).
 */
import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { DigestEmail } from "../../digest/email.js";
import { backoffMs, sleep } from "../../store/retry.js";
import type { NotifierContext } from "./context.js";

const THROTTLE_RETRIES = 6;

/** Sends one email; returns SES's message id. */
export async function sendEmail(
  ctx: NotifierContext,
  to: string,
  email: DigestEmail,
): Promise<string> {
  const retries = ctx.throttleRetries ?? THROTTLE_RETRIES;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await ctx.ses.send(
        new SendEmailCommand({
          FromEmailAddress: ctx.senderEmail,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: "UTF-8" },
              Body: {
                Html: { Data: email.html, Charset: "UTF-8" },
                Text: { Data: email.text, Charset: "UTF-8" },
              },
              Attachments: [
                {
                  FileName: email.calendar.fileName,
                  ContentType: email.calendar.contentType,
                  ContentDisposition: "ATTACHMENT",
                  RawContent: Buffer.from(email.calendar.content, "utf8"),
                },
              ],
            },
          },
          ...(ctx.configurationSet ? { ConfigurationSetName: ctx.configurationSet } : {}),
        }),
      );
      return result.MessageId ?? "";
    } catch (error) {
      // The SDK's own retry already backed off a few times; keep going a little longer for
      // the account's sending rate, which frees up within a second.
      if (!isSendingRateThrottle(error) || attempt >= retries) throw error;
      await sleep(backoffMs(attempt, ctx.throttleBackoffMs ?? 200, 5_000));
    }
  }
}

/** SES's "Maximum sending rate exceeded" (not the daily quota, which lasts hours). */
export function isSendingRateThrottle(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const throttling = ["Throttling", "ThrottlingException", "TooManyRequestsException"];
  if (/daily message quota/i.test(error.message)) return false;
  return throttling.includes(error.name) || /maximum sending rate/i.test(error.message);
}
