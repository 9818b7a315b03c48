/** Full-jitter exponential backoff for contention and transient faults. */
export function backoffMs(attempt: number, baseMs = 20, capMs = 2_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown when optimistic concurrency kept losing; the runtime should retry the event later. */
export class ContentionError extends Error {
  override readonly name = "ContentionError";
  readonly retryable = true;
}
