/**
 * HOOK for the expiry scan (functions/expiry-scan/handler.ts, written with the reminders work).
 * The local runtime's schedule and the CLI's `scan --now` both come through here, so the scan is
 * wired in one place. Returns null while the scan module does not exist yet.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type ScanResult = { due: number; emitted: number; alreadyReminded: number; skipped: number };
export type RunScan = (now: string) => Promise<ScanResult>;

const scanModule = new URL("../functions/expiry-scan/handler.ts", import.meta.url);

export function expiryScanExists(): boolean {
  return existsSync(fileURLToPath(scanModule));
}

/**
 * Loads the scan. Import it only after process.env points at the target (table, bus, endpoints):
 * the module builds its clients at import, as in Lambda.
 */
export async function loadExpiryScan(): Promise<RunScan | null> {
  if (!expiryScanExists()) return null;
  const mod = (await import(scanModule.href)) as {
    runScan?: (now: string) => Promise<ScanResult>;
    handler?: (event: unknown, context?: unknown) => Promise<unknown>;
  };
  if (typeof mod.runScan === "function") return mod.runScan;
  const handler = mod.handler;
  if (typeof handler !== "function") return null;
  // EventBridge Scheduler delivers a scheduled event whose `time` is the scan's clock.
  return async (now) =>
    (await handler({ "detail-type": "Scheduled Event", time: now, detail: {} })) as ScanResult;
}
