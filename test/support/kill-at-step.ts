/**
 * Preloaded into a local runtime child (`node --import tsx --import ./test/support/kill-at-step.ts
 * local/start.ts`) to kill it — SIGKILL, no clean-up — at one step of sending a reminder digest,
 * the `KILL_AT_COUNT`-th time that step happens (other digests are then in flight at other steps):
 *
 * - `lease`: the send lease was taken;
 * - `before-ses`: the rows are decided, SendEmail is about to go out;
 * - `after-ses`: SES accepted the email, the digest is not recorded SENT yet;
 * - `sent-recorded`: the digest is recorded SENT, its rows not yet;
 * - `row-recorded`: one row (claim SENT, reminder on the original) is recorded.
 *
 * And one step of the local runtime's start-up, not of sending:
 * - `index-backfill`: an item written before the read-side indexes was given its index keys
 *   (upgrading an older table, shared/store/index-backfill.ts).
 *
 * With `KILL_HOLD_UNTIL_FILE`, the notifier reads no digest until that file exists, so that the
 * test's scan has handed every digest over before sending starts (many digests in flight at once).
 *
 * Only the moment is chosen here; the kill, the clients and the services are real.
 */

import { existsSync } from "node:fs";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

export const KILL_STEPS = [
  "lease",
  "before-ses",
  "after-ses",
  "sent-recorded",
  "row-recorded",
] as const;
/** A step of sending a digest; KILL_STEPS lists them in order. */
export type SendStep = (typeof KILL_STEPS)[number];
export type KillStep = SendStep | "index-backfill";

const step = process.env.KILL_AT_STEP as KillStep | undefined;
const holdUntil = process.env.KILL_HOLD_UNTIL_FILE;
const count = Number(process.env.KILL_AT_COUNT ?? "1");
let seen = 0;

function reached(at: KillStep): void {
  if (at !== step) return;
  seen++;
  if (seen >= count) process.kill(process.pid, "SIGKILL");
}

/** The notifier step a DynamoDB command completes, if any. */
function stepOf(command: unknown): KillStep | null {
  if (command instanceof UpdateCommand) {
    const update = String(command.input.UpdateExpression ?? "");
    if (update.includes("leaseToken = :token")) return "lease";
    if (update.includes("sentRows = :rows")) return "sent-recorded";
    if (/\b(listKey = :listKey|entryKey = :entryKey)\b/.test(update)) return "index-backfill";
  }
  if (command instanceof TransactWriteCommand) {
    const first = command.input.TransactItems?.[0]?.Update?.UpdateExpression ?? "";
    if (first.includes("#status = :sent")) return "row-recorded";
  }
  return null;
}

function isDigestRead(command: unknown): boolean {
  return command instanceof GetCommand && String(command.input.Key?.pk).startsWith("DIGEST#");
}

if (step) {
  if (![...KILL_STEPS, "index-backfill"].includes(step)) {
    throw new Error(`KILL_AT_STEP: unknown step ${step}`);
  }
  const documentSend = DynamoDBDocumentClient.prototype.send;
  DynamoDBDocumentClient.prototype.send = async function (this: DynamoDBDocumentClient, ...args) {
    if (holdUntil && isDigestRead(args[0])) {
      while (!existsSync(holdUntil)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await (documentSend as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    const at = stepOf(args[0]);
    if (at) reached(at);
    return result;
  } as typeof documentSend;

  const sesSend = SESv2Client.prototype.send;
  SESv2Client.prototype.send = async function (this: SESv2Client, ...args) {
    const sending = args[0] instanceof SendEmailCommand;
    if (sending) reached("before-ses");
    const result = await (sesSend as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    if (sending) reached("after-ses");
    return result;
  } as typeof sesSend;
}
