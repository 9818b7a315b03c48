/**
 * The partner web app's pages as pure functions of the read side's results (the same shapes as
 * the JSON API), so the local server renders them from the queries and the signed-in browser app
 * renders them from the API with the very same code.
 */
import { type AdviceFacts, whatToDo } from "../advice/advice.js";
import { compareInstants } from "../domain/time.js";
import { TransferStatus } from "../events/index.js";
import type { DueOriginal, TransferJson, TransferSummary } from "../queries/index.js";
import {
  DAYS_UNKNOWN,
  dateOf,
  daysLeftText,
  daysUntil,
  plural,
  STATUS_HINTS,
  STATUS_LABELS,
  WARNING_TITLES,
} from "./format.js";
import { type Html, html, segment } from "./html.js";
import type { NavItem } from "./layout.js";
import { riskChart } from "./risk-chart.js";
import { tenantSection } from "./tenant-section.js";
import { timeline } from "./timeline.js";

export type PageContent = { title: string; current: NavItem | null; body: Html };

export const transferPath = (partnerId: string, customerTenantId: string) =>
  `/transfers/${segment(partnerId)}/${segment(customerTenantId)}`;

const statusBadge = (status: TransferStatus) =>
  html`<span class="status status-${status.toLowerCase()}">${STATUS_LABELS[status]}</span>`;

export type ListPageInput = {
  transfers: readonly TransferSummary[];
  /** Originals due within the risk chart's window (120 days). */
  due: readonly DueOriginal[];
  now: string;
  status?: TransferStatus | undefined;
  q?: string | undefined;
};

/** Customer-name search (case-insensitive; the tenant id matches too), soonest expiry first. */
export function visibleTransfers(
  transfers: readonly TransferSummary[],
  q: string | undefined,
): TransferSummary[] {
  const needle = (q ?? "").trim().toLowerCase();
  const found = needle
    ? transfers.filter(
        (t) =>
          (t.customerName ?? "").toLowerCase().includes(needle) ||
          t.customerTenantId.toLowerCase().includes(needle),
      )
    : [...transfers];
  return found.sort(
    (a, b) =>
      (a.nextExpiry === null ? 1 : 0) - (b.nextExpiry === null ? 1 : 0) ||
      (a.nextExpiry && b.nextExpiry ? compareInstants(a.nextExpiry, b.nextExpiry) : 0) ||
      (a.customerName ?? "").localeCompare(b.customerName ?? "") ||
      a.customerTenantId.localeCompare(b.customerTenantId),
  );
}

export function listPage(input: ListPageInput): PageContent {
  const rows = visibleTransfers(input.transfers, input.q);
  const options = TransferStatus.options.map(
    (s) =>
      html`<option value="${s}"${input.status === s ? html` selected` : ""}>${STATUS_LABELS[s]}</option>`,
  );
  const filtered = input.q || input.status;
  const body = html`<h1>Transfers</h1>
<section aria-labelledby="risk-heading" class="panel">
<h2 id="risk-heading">Risk: originals ending in the next 120 days</h2>
${riskChart(input.due, input.now)}
</section>
<section aria-labelledby="list-heading">
<h2 id="list-heading">All transfers</h2>
<form class="filters" role="search" method="get" action="/">
<div class="field"><label for="q">Customer name</label><input id="q" name="q" type="search" value="${input.q ?? ""}" autocomplete="off"></div>
<div class="field"><label for="status">Status</label><select id="status" name="status"><option value="">Any status</option>${options}</select></div>
<button type="submit">Show</button>${filtered ? html` <a class="clear" href="/">Clear filters</a>` : ""}
</form>
<p class="count" id="count" role="status">${plural(rows.length, "transfer")}${filtered ? " match" : ""}, soonest expiry first.</p>
${rows.length === 0 ? html`<p class="empty">No transfer matches.</p>` : transferTable(rows, input.now)}
</section>`;
  return { title: "Transfers", current: "transfers", body };
}

function transferTable(rows: readonly TransferSummary[], now: string): Html {
  const body = rows.map((t) => {
    const days = t.nextExpiry ? daysUntil(now, t.nextExpiry) : DAYS_UNKNOWN;
    const urgent = days !== DAYS_UNKNOWN && days <= 30 ? html` class="soon"` : "";
    return html`<tr><td><a href="${transferPath(t.partnerId, t.customerTenantId)}">${t.customerName ?? t.customerTenantId}</a></td><td>${statusBadge(t.status)}</td><td class="num">${t.warningCount > 0 ? html`<span class="warn-count">${t.warningCount}</span>` : "0"}</td><td class="date">${dateOf(t.nextExpiry)}</td><td${urgent}>${days === DAYS_UNKNOWN ? "—" : daysLeftText(days)}</td><td class="muted">${t.partnerId}</td></tr>`;
  });
  return html`<table class="transfers">
<caption class="visually-hidden">Transfers, soonest expiry first</caption>
<thead><tr><th scope="col">Customer</th><th scope="col">Status</th><th scope="col" class="num">Warnings</th><th scope="col">Next expiry</th><th scope="col">Days left</th><th scope="col">Partner</th></tr></thead>
<tbody>${body}</tbody>
</table>`;
}

export type TransferPageInput = {
  view: TransferJson;
  now: string;
  thresholds: readonly number[];
};

type ShownSubscription = TransferJson["subscriptions"][number];

/**
 * What the advice module is told about one original of the page. The view does not carry the
 * invitation's discontinued flag; a license reassignment warning implies it.
 */
function adviceFactsOf(view: TransferJson, s: ShownSubscription): AdviceFacts {
  const warnings = view.warnings.filter((w) => w.subscriptionId === s.subscriptionId);
  return {
    ...s,
    offerDiscontinued: warnings.some((w) => w.code === "LICENSE_REASSIGNMENT_REQUIRED"),
    warnings,
  };
}

/** The advice for each active original: the same sentences as the reminder email's. */
function adviceSection(view: TransferJson): Html | "" {
  const items = view.subscriptions
    .filter((s) => s.state === "ACTIVE")
    .map(
      (s) =>
        html`<li><strong>${s.offerName}</strong> <span class="muted">(${s.subscriptionId})</span><ul>${whatToDo(adviceFactsOf(view, s)).map((line) => html`<li>${line}</li>`)}</ul></li>`,
    );
  if (items.length === 0) return "";
  return html`<section aria-labelledby="advice-heading" class="panel">
<h2 id="advice-heading">What to do</h2>
<ul class="advice">${items}</ul>
</section>`;
}

export function transferPage(input: TransferPageInput): PageContent {
  const { view, now } = input;
  const name = view.customerName ?? view.customerTenantId;
  const warnings =
    view.warnings.length === 0
      ? html`<p class="ok">No warnings.</p>`
      : html`<ul class="warnings">${view.warnings.map(
          (w) =>
            html`<li class="warning" data-code="${w.code}"><strong>${WARNING_TITLES[w.code]}</strong>${w.subscriptionId ? html` <span class="muted">(${w.subscriptionId})</span>` : ""}: ${w.message}</li>`,
        )}</ul>`;
  const originals = view.subscriptions.map((s) => {
    const days = daysUntil(now, s.commitmentEndDate);
    const replacement = s.replacement
      ? html`${s.replacement.subscriptionId}<br><span class="muted">${s.replacement.offerId}, ${plural(s.replacement.quantity, "seat")}, provisioned ${dateOf(s.replacement.provisionedAt)}</span>`
      : s.state === "ACTIVE"
        ? html`<span class="missing">no replacement yet</span>`
        : html`<span class="missing">none</span>`;
    const reminders =
      s.reminders.length === 0
        ? "none"
        : s.reminders.map(
            (r) =>
              html`<span class="reminder">${r.thresholdDays}-day, sent ${dateOf(r.sentAt)}</span> `,
          );
    return html`<tr><td>${s.offerName}<br><span class="muted">${s.subscriptionId}</span></td><td class="num">${s.quantity}</td><td class="date">${dateOf(s.commitmentEndDate)}${s.state === "ACTIVE" ? html`<br><span class="muted">${daysLeftText(days)}</span>` : ""}</td><td>${s.autoRenewEnabled ? html`<span class="missing">on</span>` : "off"}</td><td>${s.state.toLowerCase()}</td><td>${replacement}</td><td>${reminders}</td></tr>`;
  });
  const unmatched =
    view.unmatched.length === 0
      ? ""
      : html`<section aria-labelledby="unmatched-heading"><h2 id="unmatched-heading">New subscriptions that replace no original</h2>
<table><thead><tr><th scope="col">Subscription</th><th scope="col">Offer</th><th scope="col" class="num">Seats</th><th scope="col">Provisioned</th></tr></thead>
<tbody>${view.unmatched.map((u) => html`<tr><td>${u.subscriptionId}</td><td>${u.offerId}</td><td class="num">${u.quantity}</td><td>${dateOf(u.provisionedAt)}</td></tr>`)}</tbody></table></section>`;
  const body = html`<p class="crumbs"><a href="/">Transfers</a> / ${name}</p>
<h1>${name}</h1>
<p class="ids">Customer tenant <code>${view.customerTenantId}</code> · partner <code>${view.partnerId}</code></p>
<p class="status-line">Status: ${statusBadge(view.status)} <span class="muted">${STATUS_HINTS[view.status]}</span></p>
<section aria-labelledby="warnings-heading" class="panel">
<h2 id="warnings-heading">Warnings (${view.warnings.length})</h2>
${warnings}
</section>
${adviceSection(view)}
<section aria-labelledby="timeline-heading" class="panel">
<h2 id="timeline-heading">Timeline</h2>
${timeline(view, now, input.thresholds)}
</section>
<section aria-labelledby="originals-heading">
<h2 id="originals-heading">Original subscriptions (${view.subscriptions.length})</h2>
${
  view.subscriptions.length === 0
    ? html`<p>None yet: the invitation has not arrived.</p>`
    : html`<table class="originals"><thead><tr><th scope="col">Offer</th><th scope="col" class="num">Seats</th><th scope="col">Ends</th><th scope="col">Auto-renew</th><th scope="col">State</th><th scope="col">Replacement</th><th scope="col">Reminders sent</th></tr></thead>
<tbody>${originals}</tbody></table>`
}
</section>
${tenantSection(view)}
${unmatched}
<section aria-labelledby="history-heading">
<h2 id="history-heading">History (${view.history.length} events)</h2>
<table class="history"><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Event id</th></tr></thead>
<tbody>${view.history.map((h) => html`<tr><td>${h.time}</td><td>${h.detailType}</td><td class="muted">${h.eventId}</td></tr>`)}</tbody></table>
</section>`;
  return { title: name, current: null, body };
}

export type DuePageInput = { due: readonly DueOriginal[]; within: number; now: string };

export function duePage(input: DuePageInput): PageContent {
  const rows = input.due.map(
    (d) =>
      html`<tr><td${d.daysLeft <= 7 ? html` class="soon"` : ""}>${daysLeftText(d.daysLeft)}</td><td class="date">${dateOf(d.commitmentEndDate)}</td><td><a href="${transferPath(d.partnerId, d.customerTenantId)}">${d.customerName}</a></td><td>${d.offerName}<br><span class="muted">${d.subscriptionId}</span></td><td class="num">${d.quantity}</td><td>${d.replacementProvisioned ? "provisioned" : html`<span class="missing">none yet</span>`}</td></tr>`,
  );
  const body = html`<h1>Originals due within ${plural(input.within, "day")}</h1>
<form class="filters" method="get" action="/due">
<div class="field"><label for="within">Days ahead</label><input id="within" name="within" type="number" min="0" max="3650" value="${input.within}"></div>
<button type="submit">Show</button>
</form>
<p class="count" role="status">${plural(input.due.length, "original")} of transfers in progress end by ${dateOf(new Date(Date.parse(dateOf(input.now)) + input.within * 86_400_000).toISOString())}, soonest first.</p>
${
  input.due.length === 0
    ? html`<p class="empty">Nothing is due in this window.</p>`
    : html`<table class="due"><thead><tr><th scope="col">Days left</th><th scope="col">Ends</th><th scope="col">Customer</th><th scope="col">Offer</th><th scope="col" class="num">Seats</th><th scope="col">Replacement</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return { title: "Due soon", current: "due", body };
}

export function notFoundPage(what: string): PageContent {
  return {
    title: "Not found",
    current: null,
    body: html`<h1>Not found</h1><p>${what}</p><p><a href="/">Back to the transfers</a></p>`,
  };
}

export function errorPage(message: string): PageContent {
  return {
    title: "Cannot show this page",
    current: null,
    body: html`<h1>Cannot show this page</h1><p>${message}</p><p><a href="/">Back to the transfers</a></p>`,
  };
}
