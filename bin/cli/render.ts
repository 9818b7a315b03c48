/** Human-readable renderings of the CLI's results. */
import type { TransferView } from "../../shared/domain/view-types.js";
import type { TransferSummary } from "../../shared/store/transfer-read.js";
import type { DeadLetterEntry, DueOriginal, EmitResult } from "./commands.js";
import { date, plural, printable, table } from "./format.js";

export function renderView(view: TransferView): string {
  const parts = [
    printable(
      `Transfer ${view.partnerId} / ${view.customerTenantId}` +
        (view.customerName ? ` (${view.customerName})` : ""),
    ),
    `Status: ${view.status}`,
    "",
    "Original subscriptions:",
    view.subscriptions.length === 0
      ? "  (none yet)"
      : table(view.subscriptions, [
          ["subscription", (s) => s.subscriptionId],
          ["offer", (s) => s.offerName],
          ["seats", (s) => s.quantity],
          ["ends", (s) => date(s.commitmentEndDate)],
          ["auto-renew", (s) => (s.autoRenewEnabled ? "on" : "off")],
          ["state", (s) => s.state],
          [
            "replacement",
            (s) =>
              s.replacement
                ? `${s.replacement.subscriptionId} (${s.replacement.offerId} x${s.replacement.quantity})`
                : "none",
          ],
          ["reminders", (s) => s.reminders.map((r) => `${r.thresholdDays}d`).join(",") || "-"],
        ]),
  ];
  if (view.unmatched.length > 0) {
    parts.push(
      "",
      "Unmatched new subscriptions:",
      table(view.unmatched, [
        ["subscription", (u) => u.subscriptionId],
        ["offer", (u) => u.offerId],
        ["seats", (u) => u.quantity],
        ["provisioned", (u) => u.provisionedAt],
      ]),
    );
  }
  parts.push("", `Warnings (${view.warnings.length}):`);
  parts.push(
    ...(view.warnings.length === 0
      ? ["  none"]
      : view.warnings.map((w) =>
          printable(`  ${w.code} [${w.subscriptionId ?? "transfer"}] ${w.message}`),
        )),
  );
  parts.push(
    "",
    `History (${plural(view.history.length, "event")}):`,
    table(view.history, [
      ["time", (h) => h.time],
      ["event", (h) => h.detailType],
      ["id", (h) => h.eventId],
    ]),
  );
  return parts.join("\n");
}

export function renderList(rows: TransferSummary[]): string {
  if (rows.length === 0) return "no transfers";
  return table(rows, [
    ["partner", (r) => r.partnerId],
    ["customer", (r) => r.customerTenantId],
    ["name", (r) => r.customerName],
    ["status", (r) => r.status],
    ["warnings", (r) => r.warningCount],
    ["next expiry", (r) => date(r.nextExpiry)],
  ]);
}

export function renderDue(rows: DueOriginal[], within: number): string {
  if (rows.length === 0) {
    return `no original subscription expires within ${plural(within, "day")}`;
  }
  return table(rows, [
    ["days left", (r) => r.daysLeft],
    ["ends", (r) => date(r.commitmentEndDate)],
    ["customer", (r) => r.customerName],
    ["partner", (r) => r.partnerId],
    ["subscription", (r) => r.subscriptionId],
    ["offer", (r) => r.offerName],
    ["seats", (r) => r.quantity],
    ["replacement", (r) => (r.replacementProvisioned ? "yes" : "NO")],
  ]);
}

export function renderEmit(results: EmitResult[]): string {
  return table(results, [
    ["event", (r) => r.detailType],
    ["result", (r) => ("eventId" in r ? r.eventId : `${r.errorCode}: ${r.errorMessage}`)],
  ]);
}

export function renderDeadLetters(rows: DeadLetterEntry[]): string {
  if (rows.length === 0) return "no dead letters";
  return table(rows, [
    ["failed at", (r) => r.failedAt],
    ["event", (r) => r.detailType],
    ["id", (r) => r.id],
    ["attempts", (r) => r.attempts],
    ["reason", (r) => (r.reason.length > 120 ? `${r.reason.slice(0, 117)}...` : r.reason)],
  ]);
}
