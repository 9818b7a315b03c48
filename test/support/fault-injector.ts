/**
 * Injects faults into an AWS SDK v3 client at the `initialize` step, i.e. after the SDK's own
 * retries would have given up: the product's code sees the fault exactly as it would after
 * throttling or a timeout that outlasted every SDK retry. Faults we cannot cause for real.
 */

export type FaultKind = "throttling" | "timeout" | "service";

/**
 * `before`: the request never reaches the service. `after`: the service applied it but the
 * answer was lost (a timeout after commit), the ambiguous case retries must survive.
 */
export type FaultTiming = "before" | "after";

export type FaultPlan = { command: string; nth: number; kind: FaultKind; timing: FaultTiming };

export function faultError(kind: FaultKind): Error {
  const error = new Error(
    kind === "throttling"
      ? "Rate of requests exceeds the allowed throughput"
      : kind === "timeout"
        ? "socket hang up (timed out)"
        : "Internal server error",
  );
  error.name =
    kind === "throttling"
      ? "ThrottlingException"
      : kind === "timeout"
        ? "TimeoutError"
        : "InternalServerError";
  return error;
}

export class FaultInjector {
  private plan: FaultPlan | undefined;
  private seen = new Map<string, number>();
  injected = 0;

  attach(client: { middlewareStack: { add: (...args: never[]) => unknown } }): this {
    const add = client.middlewareStack.add as (middleware: unknown, options: unknown) => void;
    add.call(
      client.middlewareStack,
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const name = String(context.commandName);
          const count = (this.seen.get(name) ?? 0) + 1;
          this.seen.set(name, count);
          const plan = this.plan;
          const hit = plan && plan.command === name && plan.nth === count;
          if (hit && plan.timing === "before") {
            this.injected++;
            throw faultError(plan.kind);
          }
          const result = await next(args);
          if (hit && plan.timing === "after") {
            this.injected++;
            throw faultError(plan.kind);
          }
          return result;
        },
      { step: "initialize", name: "faultInjector" },
    );
    return this;
  }

  /** Arms one fault for the nth call of a command from now on (counting restarts). */
  arm(plan: FaultPlan | undefined): void {
    this.plan = plan;
    this.seen.clear();
  }
}
