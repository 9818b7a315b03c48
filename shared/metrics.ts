/**
 * The counts an operator watches, as CloudWatch metrics in the embedded metric format (one JSON
 * line in the function's log per invocation; no CloudWatch API call). Emitted at the handler
 * edges from the results the shared code returns; the stack's dashboard and alarms read the same
 * names (infra/constructs/operations-monitoring.ts). Outside Lambda nothing is written, so the
 * local runtime and the CLI print only their own output.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** Namespace when the stack sets none (it sets `csp-transfer-tracker/<stage>`). */
export const DEFAULT_METRICS_NAMESPACE = "csp-transfer-tracker";

/** Metric names, one per count. */
export const BUSINESS_METRICS = {
  /** Upstream events applied to a transfer (duplicates not counted). */
  eventsApplied: "EventsApplied",
  /** Events refused as invalid: each lands in a dead-letter queue with its reason. */
  eventsRefused: "EventsRefused",
  /** (original, threshold) reminders a scan made due and handed to the digests. */
  remindersDue: "RemindersDue",
  /** Reminders delivered (rows of the digests sent). */
  remindersSent: "RemindersSent",
  /** Digest emails SES accepted. */
  digestsSent: "DigestsSent",
  /** Partner Center webhook requests refused (401, 413). */
  webhooksRefused: "WebhooksRefused",
  /** Customer tenants a reconcile could not read (no consent, Graph down). */
  tenantsUnreadable: "TenantsUnreadable",
} as const;

export type BusinessMetric = keyof typeof BUSINESS_METRICS;
export type BusinessCounts = Partial<Record<BusinessMetric, number>>;

/** Writes the counts of one invocation as one EMF line (Lambda only). */
export function businessMetrics(env: NodeJS.ProcessEnv = process.env) {
  const metrics = env.AWS_LAMBDA_FUNCTION_NAME
    ? new Metrics({
        namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
        serviceName: env.POWERTOOLS_SERVICE_NAME,
      })
    : null;
  return (counts: BusinessCounts) => {
    if (!metrics) return;
    for (const [key, value] of Object.entries(counts) as [BusinessMetric, number][]) {
      if (Number.isFinite(value)) metrics.addMetric(BUSINESS_METRICS[key], MetricUnit.Count, value);
    }
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
}

export type Outcome<R> = { result: R } | { error: unknown };

/**
 * A handler that also reports counts read from its outcome (its result, or the error it throws;
 * the error is thrown on unchanged).
 */
export function withBusinessMetrics<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
  count: (outcome: Outcome<R>) => BusinessCounts,
  emit: (counts: BusinessCounts) => void = businessMetrics(),
): (...args: A) => Promise<R> {
  return async (...args) => {
    let result: R;
    try {
      result = await handler(...args);
    } catch (error) {
      emit(count({ error }));
      throw error;
    }
    emit(count({ result }));
    return result;
  };
}

/** A count read from a result object, when the field is there (e.g. `tenantsUnreadable`). */
export function countField(result: unknown, field: string): number | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const value = (result as Record<string, unknown>)[field];
  return typeof value === "number" ? value : undefined;
}
