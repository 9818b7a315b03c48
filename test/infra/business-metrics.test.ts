/**
 * The business metrics the functions write (shared/metrics.ts, EMF) are the ones the dashboard
 * shows and the alarms watch: same namespace (each function's POWERTOOLS_METRICS_NAMESPACE), same
 * names, the service dimension Powertools adds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUSINESS_METRICS } from "../../shared/metrics.js";
import { type BuiltStack, buildStack, resourcesOfType } from "./support/stack.js";

let built: BuiltStack;

beforeAll(() => {
  built = buildStack({ bundle: false });
}, 180_000);

const json = () => JSON.stringify(built.template.toJSON());

describe("business metrics", () => {
  it("go to one namespace per stage, set on every function", () => {
    const functions = resourcesOfType(built.template, "AWS::Lambda::Function").filter(([id]) =>
      JSON.stringify(built.template.toJSON().Resources[id]).includes("POWERTOOLS_SERVICE_NAME"),
    );
    expect(functions.length).toBeGreaterThanOrEqual(10);
    for (const [id, fn] of functions) {
      const env = (
        fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      expect(env?.POWERTOOLS_METRICS_NAMESPACE, id).toBe("csp-transfer-tracker/test");
    }
  });

  it("alarm when reminders were due but no digest went out in a day", () => {
    const alarm = resourcesOfType(built.template, "AWS::CloudWatch::Alarm").find(([id]) =>
      id.includes("NoDigestSent"),
    );
    expect(alarm).toBeDefined();
    const metrics = alarm?.[1].Properties?.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string }; Period: number };
    }[];
    const names = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
    expect(names.sort()).toEqual([BUSINESS_METRICS.digestsSent, BUSINESS_METRICS.remindersDue]);
    expect(metrics.every((m) => !m.MetricStat || m.MetricStat.Period === 86_400)).toBe(true);
    expect(metrics.find((m) => m.Expression)?.Expression).toContain("AND");
    expect(alarm?.[1].Properties?.AlarmActions).toBeDefined();
  });

  it("alarm on webhook refusals above a rate", () => {
    const alarm = resourcesOfType(built.template, "AWS::CloudWatch::Alarm").find(([id]) =>
      id.includes("WebhookRefusals"),
    );
    expect(alarm?.[1].Properties).toMatchObject({
      MetricName: BUSINESS_METRICS.webhooksRefused,
      Namespace: "csp-transfer-tracker/test",
      Dimensions: [{ Name: "service", Value: "csp-transfer-tracker" }],
      Period: 300,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });

  it("are all on the dashboard", () => {
    const body = json();
    for (const name of Object.values(BUSINESS_METRICS)) expect(body).toContain(`\\"${name}\\"`);
    expect(body).toContain("NumberOfMessagesSent");
  });
});
