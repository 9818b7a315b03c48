/**
 * The risk at a glance: originals ending per week over the next 120 days, each week's bar split
 * into "replacement provisioned" and "no replacement". Drawn by hand as SVG (no chart library),
 * with a title and description for screen readers and a title on every bar.
 */
import { utcDay } from "../domain/time.js";
import type { DueOriginal } from "../queries/index.js";
import { plural, shortDay } from "./format.js";
import { svgNumber as fix, type Html, html } from "./html.js";

export const RISK_WINDOW_DAYS = 120;
const WEEKS = Math.ceil(RISK_WINDOW_DAYS / 7);

export type RiskWeek = { startDay: number; provisioned: number; missing: number };

/** Counts per week from today (week 0 = today and the next six days). */
export function riskWeeks(due: readonly DueOriginal[], now: string): RiskWeek[] {
  const today = utcDay(now);
  const weeks: RiskWeek[] = Array.from({ length: WEEKS }, (_, i) => ({
    startDay: today + i * 7,
    provisioned: 0,
    missing: 0,
  }));
  for (const row of due) {
    if (row.daysLeft < 0 || row.daysLeft >= RISK_WINDOW_DAYS) continue;
    const week = weeks[Math.floor(row.daysLeft / 7)];
    if (!week) continue;
    if (row.replacementProvisioned) week.provisioned++;
    else week.missing++;
  }
  return weeks;
}

const WIDTH = 760;
const HEIGHT = 230;
const LEFT = 40;
const RIGHT = 10;
const TOP = 12;
const BOTTOM = 42;

export function riskChart(due: readonly DueOriginal[], now: string): Html {
  const weeks = riskWeeks(due, now);
  const total = weeks.reduce((n, w) => n + w.provisioned + w.missing, 0);
  const missing = weeks.reduce((n, w) => n + w.missing, 0);
  const max = Math.max(1, ...weeks.map((w) => w.provisioned + w.missing));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = plotW / WEEKS;
  const barW = Math.max(4, slot * 0.7);
  const y = (n: number) => TOP + plotH - (n / top) * plotH;
  const summary =
    total === 0
      ? "No original subscription ends in the next 120 days."
      : `${plural(total, "original")} end in the next 120 days; ${missing} of them have no replacement yet.`;

  const grid = [];
  for (let n = 0; n <= top; n += step) {
    grid.push(
      html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fix(y(n))}" y2="${fix(y(n))}"/><text class="axis" x="${LEFT - 6}" y="${fix(y(n) + 4)}" text-anchor="end">${n}</text>`,
    );
  }
  const bars = weeks.map((week, i) => {
    const x = LEFT + i * slot + (slot - barW) / 2;
    const label = `Week of ${shortDay(week.startDay)}`;
    const parts = [];
    const pBase = y(0);
    const pTop = y(week.provisioned);
    if (week.provisioned > 0) {
      parts.push(
        html`<rect class="bar bar-provisioned" x="${fix(x)}" y="${fix(pTop)}" width="${fix(barW)}" height="${fix(pBase - pTop)}"><title>${label}: ${plural(week.provisioned, "original")} with a replacement</title></rect>`,
      );
    }
    if (week.missing > 0) {
      const mTop = y(week.provisioned + week.missing);
      parts.push(
        html`<rect class="bar bar-missing" x="${fix(x)}" y="${fix(mTop)}" width="${fix(barW)}" height="${fix(pTop - mTop)}"><title>${label}: ${plural(week.missing, "original")} without a replacement</title></rect>`,
      );
    }
    const tick =
      i % 2 === 0
        ? html`<text class="axis" x="${fix(x + barW / 2)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">${shortDay(week.startDay)}</text>`
        : "";
    return html`${parts}${tick}`;
  });
  return html`<figure class="risk">
<svg class="risk-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="risk-title risk-desc" focusable="false">
<title id="risk-title">Originals ending per week, next 120 days</title>
<desc id="risk-desc">${summary}</desc>
${grid}${bars}
<text class="axis" x="${LEFT}" y="${HEIGHT - 6}">weeks from today</text>
</svg>
<figcaption><span class="legend legend-provisioned">replacement provisioned</span> <span class="legend legend-missing">no replacement</span> <span class="risk-summary">${summary}</span></figcaption>
</figure>`;
}

function niceStep(max: number): number {
  for (const step of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) {
    if (max / step <= 5) return step;
  }
  return 10_000;
}

/** SVG coordinates with one decimal: stable output, short markup. */
