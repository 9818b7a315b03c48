/**
 * The faults a fake of an outside service is told to answer with next: each for requests whose
 * path matches, a given number of times, first queued first used. Shared by the fake Partner
 * Center and the fake Graph so that their tests queue faults the same way.
 */
export class FaultQueue<F> {
  private readonly queued: { path: RegExp; fault: F; times: number }[] = [];

  /** Answer the next `times` requests whose path matches `path` with `fault`. */
  add(path: RegExp, fault: F, times = 1): void {
    this.queued.push({ path, fault, times });
  }

  clear(): void {
    this.queued.length = 0;
  }

  /** The fault for a request to `path`, used up once, or null when none is queued for it. */
  take(path: string): F | null {
    const index = this.queued.findIndex((f) => f.path.test(path));
    const entry = this.queued[index];
    if (!entry) return null;
    entry.times--;
    if (entry.times <= 0) this.queued.splice(index, 1);
    return entry.fault;
  }
}
