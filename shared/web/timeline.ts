/**
 * One transfer's timeline (SVG): per original, a track up to its end date, the replacement's
 * provisioning date, the reminder thresholds before the end date, and today's line across all.
 * Every marker has a title in words; the table on the same page carries the same facts.
 */
import { utcDay } from "../domain/time.js";
import type { TransferJson } from "../queries/index.js";
import { monthLabel, shortDay } from "./format.js";
import { svgNumber as fix, type Html, html } from "./html.js";

/** Beyond this many originals the timeline shows the soonest-ending ones and says so. */
export const TIMELINE_MAX_ROWS = 60;

const WIDTH = 900;
const LABEL_W = 230;
const RIGHT = 20;
const ROW_H = 34;
const AXIS_H = 34;
const DAY_MS = 86_400_000;

export function timeline(view: TransferJson, now: string, thresholds: readonly number[]): Html {
  const rows = [...view.subscriptions]
    .sort((a, b) => utcDay(a.commitmentEndDate) - utcDay(b.commitmentEndDate))
    .slice(0, TIMELINE_MAX_ROWS);
  if (rows.length === 0) return html`<p>No original subscriptions yet.</p>`;
  const today = utcDay(now);
  const maxThreshold = Math.max(0, ...thresholds);
  const days = rows.flatMap((s) => [
    utcDay(s.commitmentEndDate),
    utcDay(s.commitmentEndDate) - maxThreshold,
    ...(s.replacement ? [utcDay(s.replacement.provisionedAt)] : []),
  ]);
  const first = Math.min(today, ...days) - 7;
  const last = Math.max(today, ...days) + 14;
  const plotW = WIDTH - LABEL_W - RIGHT;
  const x = (day: number) => LABEL_W + ((day - first) / (last - first)) * plotW;
  const plotBottom = AXIS_H + rows.length * ROW_H + 4;
  const height = plotBottom + 18;

  const months = [];
  const firstDate = new Date(first * DAY_MS);
  for (
    let month = Date.UTC(firstDate.getUTCFullYear(), firstDate.getUTCMonth() + 1, 1) / DAY_MS;
    month < last;
    month =
      Date.UTC(
        new Date(month * DAY_MS).getUTCFullYear(),
        new Date(month * DAY_MS).getUTCMonth() + 1,
        1,
      ) / DAY_MS
  ) {
    months.push(
      html`<line class="grid" x1="${fix(x(month))}" x2="${fix(x(month))}" y1="${AXIS_H - 8}" y2="${plotBottom}"/><text class="axis" x="${fix(x(month) + 3)}" y="${AXIS_H - 14}">${monthLabel(month)}</text>`,
    );
  }

  const tracks = rows.map((s, i) => {
    const cy = AXIS_H + i * ROW_H + ROW_H / 2;
    const end = utcDay(s.commitmentEndDate);
    const ended = s.state !== "ACTIVE";
    const name = `${s.offerName} (${s.quantity})`;
    const thresholdMarks = thresholds
      .filter((t) => t > 0)
      .map((t) => {
        const day = end - t;
        const sent = s.reminders.some((r) => r.thresholdDays === t);
        return html`<line class="marker threshold${sent ? " threshold-sent" : ""}" x1="${fix(x(day))}" x2="${fix(x(day))}" y1="${cy - 7}" y2="${cy + 7}"><title>${t}-day reminder: ${shortDay(day)}${sent ? " (sent)" : ""}</title></line>`;
      });
    const replacement = s.replacement
      ? html`<circle class="marker marker-provisioned" cx="${fix(x(utcDay(s.replacement.provisionedAt)))}" cy="${cy}" r="6"><title>Replacement ${s.replacement.subscriptionId} provisioned ${shortDay(utcDay(s.replacement.provisionedAt))}</title></circle>`
      : "";
    const endMark = html`<path class="marker marker-end${ended ? " marker-ended" : s.replacement ? "" : " marker-at-risk"}" d="M${fix(x(end))} ${cy - 8} l8 8 l-8 8 l-8 -8 z"><title>${s.offerName} ${ended ? `ended (${s.state.toLowerCase()})` : "ends"} ${shortDay(end)}${s.replacement || ended ? "" : ", no replacement yet"}</title></path>`;
    return html`<g class="track">
<text class="track-label" x="${LABEL_W - 10}" y="${cy + 4}" text-anchor="end">${truncate(name, 30)}<title>${name} · ${s.subscriptionId}</title></text>
<line class="track-line${ended ? " track-ended" : ""}" x1="${LABEL_W}" x2="${fix(x(end))}" y1="${cy}" y2="${cy}"/>
${thresholdMarks}${replacement}${endMark}
</g>`;
  });

  const todayX = fix(x(today));
  const shown =
    view.subscriptions.length > rows.length
      ? html`<p class="note">Showing the ${rows.length} soonest-ending of ${view.subscriptions.length} originals; the table below lists them all.</p>`
      : "";
  return html`<figure class="timeline">
<svg class="timeline-chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="timeline-title timeline-desc" focusable="false">
<title id="timeline-title">Timeline of the original subscriptions</title>
<desc id="timeline-desc">For each original: its end date, its replacement's provisioning date and the reminder dates before the end; a vertical line marks today, ${shortDay(today)}.</desc>
${months}${tracks}
<line class="today-line" x1="${todayX}" x2="${todayX}" y1="${AXIS_H - 6}" y2="${plotBottom}"><title>Today, ${shortDay(today)}</title></line>
<text class="today-label" x="${todayX}" y="${height - 4}" text-anchor="middle">today</text>
</svg>
<figcaption><span class="legend legend-end">end date</span> <span class="legend legend-at-risk">end date, no replacement yet</span> <span class="legend legend-replacement">replacement provisioned</span> <span class="legend legend-threshold">reminder thresholds (${thresholds.join(", ")} days before)</span> <span class="legend legend-today">today</span></figcaption>
${shown}
</figure>`;
}

const truncate = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
