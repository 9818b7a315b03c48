/**
 * A per-URL memo of fetches with the three things a flood of forged URLs must not break: one
 * fetch at a time per URL (concurrent callers share it), a failure remembered for a while (no
 * re-fetch), and successes kept apart from failures, so that any number of failing URLs never
 * pushes a good entry out. Both maps are bounded (oldest first out).
 */
export type UrlMemoOptions = {
  successTtlMs: number;
  failureTtlMs: number;
  maxSuccesses: number;
  maxFailures: number;
  now?: () => number;
};

type Entry<T> = { value: T; until: number };
type Failure = { error: unknown; until: number };

export class UrlMemo<T> {
  private readonly successes = new Map<string, Entry<T>>();
  private readonly failures = new Map<string, Failure>();
  private readonly pending = new Map<string, Promise<T>>();
  /** Loads started (cache misses), for the tests and the benchmark. */
  loads = 0;

  constructor(private readonly options: UrlMemoOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * The value for `url`: a fresh success (still `usable`), the remembered failure, the load
   * already under way, or a new load.
   */
  get(url: string, load: () => Promise<T>, usable: (value: T) => boolean = () => true): Promise<T> {
    const now = this.now();
    const hit = this.successes.get(url);
    if (hit && now < hit.until && usable(hit.value)) return Promise.resolve(hit.value);
    if (hit) this.successes.delete(url);
    const failed = this.failures.get(url);
    if (failed && now < failed.until) return Promise.reject(failed.error);
    if (failed) this.failures.delete(url);
    const pending = this.pending.get(url);
    if (pending) return pending;
    this.loads++;
    const started = load().then(
      (value) => {
        this.pending.delete(url);
        remember(
          this.successes,
          url,
          { value, until: this.now() + this.options.successTtlMs },
          this.options.maxSuccesses,
        );
        return value;
      },
      (error: unknown) => {
        this.pending.delete(url);
        remember(
          this.failures,
          url,
          { error, until: this.now() + this.options.failureTtlMs },
          this.options.maxFailures,
        );
        throw error;
      },
    );
    this.pending.set(url, started);
    return started;
  }

  /** Whether a good value for `url` is held (for the tests). */
  holds(url: string): boolean {
    return this.successes.has(url);
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
