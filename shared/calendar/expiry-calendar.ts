/**
 * The iCalendar (RFC 5545) file of original subscriptions' end dates, shared by the reminder
 * digest's `expiries.ics` attachment and the partner's calendar feed, so that both give each
 * (subscription, end date) the same UID: importing a later email, or refreshing the feed, updates
 * the same calendar entry instead of adding another. ical-generator does the RFC 5545 text
 * escaping and line folding; control characters, which RFC 5545 TEXT does not allow, are removed
 * here (a line break in a description is kept: it is escaped as \n).
 */
import ical, { ICalAlarmType, ICalCalendarMethod } from "ical-generator";
import { utcDate } from "../domain/time.js";
import { plainText } from "../text/plain-text.js";

export type CalendarExpiry = {
  subscriptionId: string;
  /** The original's end date, ISO 8601; its UTC calendar date is the event's day. */
  commitmentEndDate: string;
  customerName: string;
  offerName: string;
  /** What to do, in words (shared/advice `adviceDescription`); becomes the event's DESCRIPTION. */
  advice: string;
};

const UID_DOMAIN = "csp-transfer-tracker";

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]+/g;
/** RFC 5545 TEXT without control characters (a newline stays; ical-generator escapes it). */
const calendarText = (value: string) =>
  value.replace(/\r\n?/g, "\n").replace(CONTROLS_BUT_NEWLINE, " ");

/**
 * The calendar's name as one RFC 5545 TEXT value: ical-generator writes NAME and X-WR-CALNAME as
 * given, so a line break in a name could end the property and start a VEVENT of its own. One line,
 * with the TEXT specials escaped.
 */
export const calendarName = (value: string) => plainText(value).replace(/[\\;,]/g, "\\$&");

/** Stable per (subscription, end date): a corrected end date is another entry, on purpose. */
export function expiryUid(subscriptionId: string, commitmentEndDate: string): string {
  const id = Buffer.from(subscriptionId, "utf8").toString("base64url");
  return `${id}-${utcDate(commitmentEndDate).replaceAll("-", "")}@${UID_DOMAIN}`;
}

export type CalendarOptions = {
  /** The calendar's display name (X-WR-CALNAME). */
  name: string;
  /** DTSTAMP of every event; pass the sending or serving time. */
  now: Date;
};

export function expiryCalendar(expiries: readonly CalendarExpiry[], options: CalendarOptions) {
  const calendar = ical({
    name: calendarName(options.name),
    prodId: { company: "CSP transfer tracker", product: "expiries", language: "EN" },
    // PUBLISH for a feed and an attachment alike: nothing here is an invitation.
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const expiry of expiries) {
    const day = utcDate(expiry.commitmentEndDate);
    const start = new Date(`${day}T00:00:00Z`);
    calendar.createEvent({
      id: expiryUid(expiry.subscriptionId, expiry.commitmentEndDate),
      allDay: true,
      start,
      end: new Date(start.getTime() + 86_400_000),
      stamp: options.now,
      summary: calendarText(`${expiry.customerName}: ${expiry.offerName} ends`),
      description: calendarText(expiry.advice),
      alarms: [
        {
          type: ICalAlarmType.display,
          trigger: 86_400,
          description: calendarText(`${expiry.customerName}: ${expiry.offerName} ends tomorrow`),
        },
      ],
    });
  }
  return calendar.toString();
}
