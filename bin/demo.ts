/**
 * `npm run demo` (with `npm start` running): walks the sample transfer in examples/ through its
 * states — emit each step, wait until processed, show the status — runs the expiry scan at a
 * simulated date so that the partner's reminder digest (one email, both originals ending on 30
 * June, with the expiries.ics calendar file) appears in the local SES, and prints the final view.
 */
import "../local/quiet-sdk.js";
import { fileURLToPath } from "node:url";
import { localSettings, loopback } from "../local/config.js";
import { expiryScanExists } from "../local/scan-hook.js";
import * as commands from "./cli/commands.js";
import { describeError } from "./cli/errors.js";
import { renderView } from "./cli/render.js";
import { resolveTarget, type Target } from "./cli/target.js";
import { IN_PROGRESS_CUSTOMER, inProgressTransfer } from "./demo-in-progress.js";
import { runPartnerCenterDemo } from "./demo-partner-center.js";

const PARTNER = "partner-northwind";
const PARTNER_EMAIL = "csp-transfers@northwind.example";
const CUSTOMER = "8d3c2b1a-4f5e-4a6b-9c7d-0e1f2a3b4c5d";
/** The simulated clock of the scan: about six weeks before the first originals end. */
const SCAN_AT = "2026-05-20T06:00:00Z";

const STEPS = [
  ["01-invitation-sent.json", "the partner invites Fabrikam (three original subscriptions)"],
  ["02-invitation-accepted.json", "Fabrikam accepts the reseller relationship"],
  ["03-subscriptions-provisioned.json", "the partner provisions three new subscriptions"],
  ["04-auto-renew-turned-off.json", "auto-renew is turned off on the Exchange original"],
  ["05-originals-ended.json", "the originals expire on their end dates"],
] as const;

async function step(target: Target, file: string, label: string) {
  const path = fileURLToPath(new URL(`../examples/${file}`, import.meta.url));
  const results = await commands.emit(target, commands.readEventFile(path));
  const rejected = results.filter((r) => "errorCode" in r);
  if (rejected.length > 0) throw new Error(`${file}: ${JSON.stringify(rejected)}`);
  await commands.drain(target);
  const view = await commands.show(target, PARTNER, CUSTOMER);
  console.log(`${file.padEnd(36)} ${label}\n${"".padEnd(36)} -> status ${view.status}`);
}

type SentMail = {
  subject: string;
  destination: { to: string[] };
  body: { text?: string };
  attachments?: { filename: string; content: string }[];
};

async function sentMail(): Promise<SentMail[]> {
  const response = await fetch(`${loopback(localSettings().sesPort)}/store`);
  return ((await response.json()) as { emails: SentMail[] }).emails;
}

/** One digest, as the partner sees it: subject, the originals it lists, the calendar file. */
function printDigest(email: SentMail) {
  const pad = "".padEnd(36);
  if (!email.destination.to.includes(PARTNER_EMAIL)) return;
  console.log(`${pad} -> one digest to ${PARTNER_EMAIL}: "${email.subject}"`);
  for (const line of (email.body.text ?? "").split("\n")) {
    if (line.startsWith("* ") || line.startsWith("  Subscription:")) {
      console.log(`${pad}      ${line.trim()}`);
    }
  }
  for (const file of email.attachments ?? []) {
    const events = Buffer.from(file.content, "base64")
      .toString("utf8")
      .match(/BEGIN:VEVENT/g);
    console.log(`${pad}    attached ${file.filename} (${events?.length ?? 0} calendar events)`);
  }
}

async function main() {
  if (process.argv.includes("--partner-center")) return runPartnerCenterDemo();
  const target = await resolveTarget({});
  try {
    console.log(`Demo against the ${target.description}\n`);
    for (const [file, label] of STEPS) {
      await step(target, file, label);
      if (file.startsWith("03")) {
        if (expiryScanExists()) {
          const before = (await sentMail()).length;
          const result = await commands.scan(target, SCAN_AT);
          await commands.drain(target);
          console.log(
            `${"expiry scan".padEnd(36)} at ${SCAN_AT}: ${result.emitted} original(s) due`,
          );
          for (const email of (await sentMail()).slice(before)) printDigest(email);
        } else {
          console.log(`${"expiry scan".padEnd(36)} not installed yet: no reminder emails`);
        }
      }
    }
    const view = await commands.show(target, PARTNER, CUSTOMER);
    console.log(`\n${renderView(view)}`);
    await commands.emit(target, inProgressTransfer(PARTNER, PARTNER_EMAIL));
    await commands.drain(target);
    const current = await commands.show(target, PARTNER, IN_PROGRESS_CUSTOMER);
    console.log(
      `\nA transfer in progress, dated from today: ${current.customerName} -> status ${current.status}` +
        ` (${current.warnings.length} warning(s); originals ending in 18 to 105 days)`,
    );
    const ses = loopback(localSettings().sesPort);
    console.log(`\nReminder emails: open ${ses} in a browser (JSON at ${ses}/store).`);
    const web = loopback(localSettings().webPort);
    console.log(`Transfer page: ${web}/transfers/${PARTNER}/${CUSTOMER}`);
    console.log(
      `In progress:   ${web}/transfers/${PARTNER}/${IN_PROGRESS_CUSTOMER}, due at ${web}/due`,
    );
  } finally {
    target.dynamo.destroy();
    target.events.destroy();
    target.sqs.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${describeError(error, "the local runtime")}`);
  process.exit(1);
});
