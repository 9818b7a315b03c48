/**
 * The reminder email (SPEC section 4): a subject naming the customer and the days left, and an
 * HTML and a plain-text body saying what to do. Pure: no SDK calls. Every value interpolated into
 * the HTML part is escaped; the subject and text part are plain text (control characters removed
 * so a value cannot add header lines).
 */
import { utcDate } from "../domain/time.js";
import type { ExpiryApproaching } from "../events/details.js";

export type ReminderEmail = { subject: string; html: string; text: string };

export type ReminderFacts = {
  /** From the original's stored record; null when unknown (no warning is shown then). */
  autoRenewEnabled: boolean | null;
};

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Plain text safe for a subject line: no control characters (CR/LF could forge headers). */
function plain(value: string | number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return String(value).replace(/[\u0000-\u001f\u007f]+/g, " ");
}

export function daysLeftPhrase(daysLeft: number): string {
  if (daysLeft === 0) return "today";
  if (daysLeft === 1) return "tomorrow (1 day left)";
  return `in ${daysLeft} days`;
}

function seats(quantity: number): string {
  return quantity === 1 ? "1 seat" : `${quantity} seats`;
}

type Paragraph = { heading?: string; text: string; warning?: boolean };

export function renderReminderEmail(event: ExpiryApproaching, facts: ReminderFacts): ReminderEmail {
  const endDate = utcDate(event.commitmentEndDate);
  const when = daysLeftPhrase(event.daysLeft);
  const subject = plain(
    `${event.customerName}: ${event.offerName} ends ${when}` +
      (event.replacementProvisioned ? " - let it expire" : " - replacement needed"),
  );

  const summary =
    `The original subscription ${event.offerName} (${seats(event.quantity)}, subscription ` +
    `${event.subscriptionId}) of ${event.customerName} (tenant ${event.customerTenantId}) ` +
    `reaches its commitment end date on ${endDate} (UTC), ${when}.`;

  const paragraphs: Paragraph[] = [{ text: summary }];
  if (event.replacementProvisioned) {
    paragraphs.push({
      heading: "What to do: let the original expire",
      text:
        "The replacement subscription is already provisioned under your CSP account. Let the " +
        `original subscription expire on ${endDate}; end users continue on the replacement. ` +
        "Check that auto-renew is off on the original so that it expires instead of renewing. " +
        "Do not cancel the original: cancelling gives the customer no refund.",
    });
  } else {
    paragraphs.push({
      heading: "What to do: provision the replacement before the end date",
      text:
        `No replacement has been provisioned yet. Before ${endDate}, provision the same offer ` +
        `(${event.offerName}, offer ${event.offerId}) with the same seat count ` +
        `(${seats(event.quantity)}) under your CSP account. Otherwise, when the original expires, ` +
        "the customer's end users lose service until a replacement is in place.",
    });
  }
  if (facts.autoRenewEnabled === true) {
    paragraphs.push({
      heading: "Warning: auto-renew is on",
      warning: true,
      text:
        "Auto-renew is on for this original subscription: it will renew for another term " +
        `instead of expiring on ${endDate}, and the customer keeps paying for it. Ask the ` +
        "customer (or the current partner) to turn auto-renew off before that date.",
    });
  }
  const footer =
    `You receive this reminder because the original is ${event.thresholdDays} days or less ` +
    "from its end date in a transfer you are tracking. Each reminder threshold is sent once.";

  const text = [
    `${event.customerName}: ${event.offerName} ends ${when}`,
    "",
    ...paragraphs.flatMap((p) => [
      ...(p.heading ? [p.heading, "-".repeat(p.heading.length)] : []),
      p.text,
      "",
    ]),
    footer,
    "",
  ].join("\n");

  const html = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    "</title></head>",
    '<body style="font-family:Arial,Helvetica,sans-serif;line-height:1.5;color:#1b1b1b">',
    `<h1 style="font-size:20px">${escapeHtml(event.customerName)}: ${escapeHtml(event.offerName)} ends ${escapeHtml(when)}</h1>`,
    ...paragraphs.map((p) => {
      const heading = p.heading
        ? `<h2 style="font-size:16px${p.warning ? ";color:#a4262c" : ""}">${escapeHtml(p.heading)}</h2>`
        : "";
      return `${heading}<p>${escapeHtml(p.text)}</p>`;
    }),
    `<p style="font-size:12px;color:#605e5c">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");

  return { subject, html, text };
}
