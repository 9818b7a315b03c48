/**
 * The transfer page's section on the customer's tenant (SPEC section 10): when it was last read,
 * or why it could not be, and per matched original the users, the SKU and the date they would
 * lose it. Empty until the tenant was tried once.
 */
import type { TransferJson } from "../queries/index.js";
import { dateOf } from "./format.js";
import { type Html, html } from "./html.js";

const time = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

function lastRead(tenant: NonNullable<TransferJson["tenant"]>): Html {
  const attempt = tenant.lastAttempt;
  const since =
    tenant.lastReadAt === null
      ? html` It has never been read.`
      : html` Last read ${time(tenant.lastReadAt)}.`;
  if (attempt?.outcome === "unreadable") {
    const reason = attempt.reason ?? "no reason given";
    const stop = /[.?!]$/.test(reason) ? "" : ".";
    return html`<p class="tenant-read"><span class="missing">Could not be read</span> ${time(attempt.at)}: ${reason}${stop}${since} Nothing was changed.</p>`;
  }
  const read = attempt?.at ?? tenant.lastReadAt;
  const changed =
    tenant.observedAt && read && tenant.observedAt !== read
      ? html` <span class="muted">(unchanged since ${time(tenant.observedAt)})</span>`
      : "";
  return html`<p class="tenant-read">Last read ${read ? time(read) : "—"}${changed}.</p>`;
}

export function tenantSection(view: TransferJson): Html | "" {
  const tenant = view.tenant;
  if (!tenant) return "";
  const offer = new Map(view.subscriptions.map((s) => [s.subscriptionId, s.offerName]));
  const rows = tenant.coverage.map(
    (c) =>
      html`<tr><td>${offer.get(c.subscriptionId) ?? c.subscriptionId}<br><span class="muted">${c.subscriptionId}</span></td><td>${c.skuPartNumber ?? "—"}</td><td>${c.status}</td><td class="num">${c.licenses}</td><td class="num">${c.consumedUnits ?? "—"}</td><td class="num">${c.remaining ?? "—"}</td><td class="num">${c.users === null ? "—" : c.users > 0 ? html`<span class="missing">${c.users}</span>` : "0"}</td><td class="date">${dateOf(c.endDate)}</td></tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p>No original of this transfer was found among the tenant's subscriptions.</p>`
      : html`<table class="tenant-coverage"><thead><tr><th scope="col">Original</th><th scope="col">SKU</th><th scope="col">Tenant status</th><th scope="col" class="num">Licenses</th><th scope="col" class="num">Users of the SKU</th><th scope="col" class="num">Left after it ends</th><th scope="col" class="num">Users without a license</th><th scope="col">Ends</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  return html`<section aria-labelledby="tenant-heading" class="panel">
<h2 id="tenant-heading">The customer's tenant</h2>
${lastRead(tenant)}
${table}
</section>`;
}
