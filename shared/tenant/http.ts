/**
 * One request to Graph or its token endpoint with the retries SPEC section 10 asks for: 429 and
 * 5xx (and timeouts, refused connections, an answer over its size bound) are retried with
 * exponential backoff, honouring `Retry-After`, within the tenant read's time budget; whatever
 * is left failing makes the tenant unreadable for this run. Every body is read through the one
 * bounded reader, so a huge answer is an error for that request, never a process that grows.
 */
import { ResponseTooLargeError, readBoundedText } from "../http/bounded-body.js";
import { TenantUnreadableError } from "./errors.js";

export type HttpOptions = {
  /** Attempts per request (first try included). */
  attempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The longest `Retry-After` honoured; a longer one gives up on the tenant for this run. */
  retryAfterCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

export type Answer = { status: number; text: string; headers: Headers };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `Retry-After` in milliseconds: delta-seconds or an HTTP-date; null when absent or garbled. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export async function requestWithRetries(
  what: string,
  send: (signal: AbortSignal) => Promise<Response>,
  limits: { maxBytes: number; deadline: number },
  options: HttpOptions = {},
): Promise<Answer> {
  const attempts = options.attempts ?? 4;
  const now = options.now ?? Date.now;
  let problem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let hinted: number | null = null;
    try {
      const response = await send(AbortSignal.timeout(options.timeoutMs ?? 10_000));
      const status = response.status;
      if (status === 429 || status >= 500) {
        await response.body?.cancel();
        problem = `${what} answered ${status}`;
        hinted = retryAfterMs(response.headers.get("retry-after"), now());
      } else {
        const text = await readBoundedText(response, limits.maxBytes, what);
        return { status, text, headers: response.headers };
      }
    } catch (error) {
      if (!(error instanceof ResponseTooLargeError || isTransport(error))) throw error;
      problem = `${what} failed: ${(error as Error).message}`;
    }
    if (attempt === attempts) break;
    const cap = options.backoffCapMs ?? 5_000;
    const exponential = Math.min(cap, (options.backoffBaseMs ?? 250) * 2 ** (attempt - 1));
    const retryAfterCap = options.retryAfterCapMs ?? 60_000;
    if (hinted !== null && hinted > retryAfterCap) {
      throw new TenantUnreadableError(
        `${problem} with Retry-After ${Math.ceil(hinted / 1000)} s, longer than the ${retryAfterCap / 1000} s this run waits`,
      );
    }
    const delay = Math.max(hinted ?? 0, exponential * (0.5 + Math.random() / 2));
    if (now() + delay > limits.deadline) {
      throw new TenantUnreadableError(`${problem}; no time left in this read to retry`);
    }
    await (options.sleep ?? defaultSleep)(delay);
  }
  throw new TenantUnreadableError(`${problem} (after ${attempts} attempts)`);
}

/** fetch's own failures (refused, reset, DNS, timeout): worth another attempt. */
function isTransport(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "TimeoutError" || error.name === "AbortError" || error instanceof TypeError;
}
