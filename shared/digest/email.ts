/**
 * The reminder digest email (SPEC section 4): one email listing every original a scan run made due
 * for one partner address, grouped by customer, soonest end date first; an HTML part built from
 * tables with inline styles (what Outlook and Gmail render alike; no external images, no
 * scripts), a plain-text part, and the `expiries.ics` calendar attachment. Pure: no SDK calls.
 *
 * Every interpolated value goes through plainText (no control or bidi characters) and, in the
 * HTML part, escapeHtml.
 */
import { activeAdviceFacts, adviceDescription } from "../advice/advice.js";
import { expiryCalendar } from "../calendar/expiry-calendar.js";
import { utcDate } from "../domain/time.js";
import { escapeHtml as escapeMarkup } from "../text/escape-html.js";
import { daysLeftPhrase, plainText, plural } from "../text/plain-text.js";
import {
  adviceFor,
  type DigestRow,
  groupByCustomer,
  inDigestOrder,
  replacementLine,
  warningLinesOf as warningLines,
} from "./content.js";

/** Every value in the HTML part: one line of plain text, then escaped. */
const escapeHtml = (value: string | number) => escapeMarkup(plainText(value));

export const CALENDAR_FILE_NAME = "expiries.ics";

export type DigestEmail = {
  subject: string;
  html: string;
  text: string;
  calendar: { fileName: string; contentType: string; content: string };
};

export type DigestOptions = {
  /** The sending time: DTSTAMP of the calendar and the "as of" date. */
  now: Date;
  /** The configured thresholds, for the footer. */
  thresholds: readonly number[];
};

const COLORS = {
  text: "#1b1b1b",
  muted: "#605e5c",
  accent: "#0f6cbd",
  border: "#e1dfdd",
  warning: "#a4262c",
  ok: "#107c10",
  page: "#f3f2f1",
};
const FONT = "font-family:'Segoe UI',Arial,Helvetica,sans-serif";

export function renderDigest(rows: readonly DigestRow[], options: DigestOptions): DigestEmail {
  if (rows.length === 0) throw new RangeError("a digest lists at least one original");
  const ordered = inDigestOrder(rows);
  const first = ordered[0] as DigestRow;
  const more = ordered.length > 1 ? ` (+${ordered.length - 1} more)` : "";
  const subject = plainText(
    `${first.customerName}: ${first.offerName} ends ${daysLeftPhrase(first.daysLeft)}${more}`,
  );
  const groups = groupByCustomer(ordered);
  const asOf = options.now.toISOString().slice(0, 10);
  const intro =
    `${plural(ordered.length, "original subscription")} of ` +
    `${plural(groups.length, "customer")} reached a reminder threshold (as of ${asOf}, UTC).`;
  const footer = footerText(options.thresholds);

  return {
    subject,
    html: html(subject, intro, groups, footer),
    text: text(subject, intro, groups, footer),
    calendar: {
      fileName: CALENDAR_FILE_NAME,
      contentType: "text/calendar; charset=utf-8; method=PUBLISH",
      content: expiryCalendar(
        ordered.map((row) => ({
          subscriptionId: row.subscriptionId,
          commitmentEndDate: row.commitmentEndDate,
          customerName: plainText(row.customerName),
          offerName: plainText(row.offerName),
          advice: adviceDescription(activeAdviceFacts(row)),
        })),
        { name: "Original subscriptions ending", now: options.now },
      ),
    },
  };
}

function footerText(thresholds: readonly number[]): string {
  const days = [...thresholds].sort((a, b) => b - a);
  const list =
    days.length > 1
      ? `${days.slice(0, -1).join(", ")} or ${days.at(-1)} days`
      : plural(days[0] ?? 0, "day");
  return (
    "You receive this digest because these originals, in transfers you are tracking, reached " +
    `a reminder threshold (${list} before their end date). Each reminder is sent once; ` +
    `the attached ${CALENDAR_FILE_NAME} adds each end date to your calendar, with an alarm a ` +
    "day before."
  );
}

function rowFacts(row: DigestRow): [string, string][] {
  const end = utcDate(row.commitmentEndDate);
  return [
    ["Subscription", plainText(row.subscriptionId)],
    ["Ends", `${end} (UTC), ${daysLeftPhrase(row.daysLeft)}`],
    ["Replacement", replacementLine(row)],
  ];
}

const rowTitle = (row: DigestRow) =>
  `${plainText(row.offerName)} - ${plural(row.quantity, "seat")}`;

function text(
  subject: string,
  intro: string,
  groups: ReturnType<typeof groupByCustomer<DigestRow>>,
  footer: string,
): string {
  const lines = [subject, "", intro, ""];
  for (const group of groups) {
    const heading = `${plainText(group.customerName)} (tenant ${plainText(group.customerTenantId)})`;
    lines.push(heading, "=".repeat(Math.min(heading.length, 72)), "");
    for (const row of group.rows) {
      lines.push(`* ${rowTitle(row)}`);
      for (const [label, value] of rowFacts(row)) lines.push(`  ${label}: ${value}`);
      lines.push("  What to do:");
      for (const advice of adviceFor(row)) lines.push(`  - ${advice}`);
      const warnings = warningLines(row);
      if (warnings.length > 0) {
        lines.push("  Warnings:");
        for (const w of warnings) lines.push(`  ! ${w.title}: ${w.text}`);
      }
      lines.push("");
    }
  }
  lines.push("--", footer, "");
  return lines.join("\n");
}

function html(
  subject: string,
  intro: string,
  groups: ReturnType<typeof groupByCustomer<DigestRow>>,
  footer: string,
): string {
  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:${COLORS.page}">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${COLORS.page}"><tr><td align="center" style="padding:16px 8px">`,
    `<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:640px;max-width:100%;background:#ffffff;${FONT};font-size:14px;line-height:1.5;color:${COLORS.text}">`,
    `<tr><td style="padding:20px 24px;border-top:4px solid ${COLORS.accent}">`,
    `<h1 style="margin:0;font-size:20px;line-height:1.3">${escapeHtml(subject)}</h1>`,
    `<p style="margin:6px 0 0;color:${COLORS.muted}">${escapeHtml(intro)}</p>`,
    "</td></tr>",
  ];
  for (const group of groups) {
    parts.push(
      `<tr><td style="padding:12px 24px 4px">`,
      `<h2 style="margin:0;font-size:17px">${escapeHtml(group.customerName)}</h2>`,
      `<p style="margin:0;font-size:12px;color:${COLORS.muted}">Tenant ${escapeHtml(group.customerTenantId)}</p>`,
      "</td></tr>",
    );
    for (const row of group.rows) parts.push(htmlRow(row));
  }
  parts.push(
    `<tr><td style="padding:16px 24px 24px;font-size:12px;color:${COLORS.muted}">${escapeHtml(footer)}</td></tr>`,
    "</table>",
    "</td></tr></table>",
    "</body></html>",
  );
  return parts.join("\n");
}

function htmlRow(row: DigestRow): string {
  const warnings = warningLines(row);
  const edge = warnings.length > 0 || !row.replacement ? COLORS.warning : COLORS.ok;
  const facts = rowFacts(row)
    .map(
      ([label, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:${COLORS.muted};white-space:nowrap;vertical-align:top">${escapeHtml(label)}</td>` +
        `<td style="padding:2px 0;vertical-align:top">${escapeHtml(value)}</td></tr>`,
    )
    .join("");
  const advice = adviceFor(row)
    .map((a) => `<li style="margin:0 0 4px">${escapeHtml(a)}</li>`)
    .join("");
  const warningList =
    warnings.length === 0
      ? ""
      : `<p style="margin:8px 0 4px;font-weight:bold;color:${COLORS.warning}">Warnings</p>` +
        `<ul style="margin:0;padding-left:20px;color:${COLORS.warning}">` +
        warnings
          .map(
            (w) =>
              `<li style="margin:0 0 4px"><strong>${escapeHtml(w.title)}:</strong> ${escapeHtml(w.text)}</li>`,
          )
          .join("") +
        "</ul>";
  return [
    `<tr><td style="padding:6px 24px">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border:1px solid ${COLORS.border};border-left:4px solid ${edge}">`,
    `<tr><td style="padding:10px 14px">`,
    `<p style="margin:0 0 6px;font-size:15px;font-weight:bold">${escapeHtml(rowTitle(row))}</p>`,
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="font-size:13px">${facts}</table>`,
    `<p style="margin:8px 0 4px;font-weight:bold">What to do</p>`,
    `<ul style="margin:0;padding-left:20px">${advice}</ul>`,
    warningList,
    "</td></tr></table>",
    "</td></tr>",
  ].join("\n");
}
