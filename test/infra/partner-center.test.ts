/**
 * The Partner Center connector in the stack: deployed only when configured, the receiver behind
 * a Function URL without AWS auth and throttled by reserved concurrency, the secret readable by
 * the API functions only, the daily reconciliation with its own DLQ, the settings validated at
 * synth. The full stack with the connector is also covered by stack.test.ts and nag.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readDeployConfig } from "../../infra/config.js";
import { FUNCTIONS } from "../../shared/functions.js";
import {
  asArray,
  type BuiltStack,
  buildStack,
  iamStatements,
  resourcesOfType,
  TEST_CONTEXT,
} from "./support/stack.js";

let on: BuiltStack;
let off: BuiltStack;

beforeAll(() => {
  on = buildStack({ bundle: false });
  off = buildStack({ bundle: false, context: { partnerCenter: null } });
}, 120_000);

const describedAs = (built: BuiltStack, description: string) =>
  resourcesOfType(built.template, "AWS::Lambda::Function").find(
    ([, fn]) => fn.Properties?.Description === description,
  );

describe("the Partner Center connector in the stack", () => {
  it("is left out when partnerCenter is null", () => {
    for (const id of [
      "partnerCenterWebhook",
      "partnerCenterProcessor",
      "partnerCenterReconcile",
    ] as const) {
      expect(describedAs(off, FUNCTIONS[id].description)).toBeUndefined();
      expect(describedAs(on, FUNCTIONS[id].description)).toBeDefined();
    }
    expect(resourcesOfType(off.template, "AWS::Lambda::Url")).toHaveLength(0);
    expect(resourcesOfType(off.template, "AWS::SecretsManager::Secret")).toHaveLength(0);
  });

  it("serves the webhook from a Function URL without AWS auth, throttled by reserved concurrency", () => {
    const urls = resourcesOfType(on.template, "AWS::Lambda::Url");
    expect(urls).toHaveLength(1);
    expect(urls[0]?.[1].Properties?.AuthType).toBe("NONE");
    const webhook = describedAs(on, FUNCTIONS.partnerCenterWebhook.description);
    expect(webhook?.[1].Properties?.ReservedConcurrentExecutions).toBe(10);
    expect(JSON.stringify(urls[0]?.[1].Properties?.TargetFunctionArn)).toContain(webhook?.[0]);
    expect(on.template.toJSON().Outputs.PartnerCenterWebhookUrl).toBeDefined();
  });

  it("lets only the processor and the reconciliation read the client secret, and no one write the table but the tenant read log", () => {
    const secretId = resourcesOfType(on.template, "AWS::SecretsManager::Secret")[0]?.[0] as string;
    const readers = iamStatements(on.template).filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes(secretId),
    );
    const roles = new Set(readers.map((r) => r.policy.replace(/RoleDefaultPolicy.*$/, "")));
    expect([...roles].sort()).toEqual(["PartnerCenterProcessor", "PartnerCenterReconcile"]);
    for (const { policy, statement } of iamStatements(on.template)) {
      if (!policy.startsWith("PartnerCenter")) continue;
      for (const action of asArray(statement.Action)) {
        // The reconciliation updates the tenant read log (SPEC section 10), nothing else.
        if (policy.startsWith("PartnerCenterReconcile") && action === "dynamodb:UpdateItem")
          continue;
        expect(action).not.toMatch(/^dynamodb:(Put|Update|Delete|BatchWrite|Scan)/);
      }
    }
    const processor = describedAs(on, FUNCTIONS.partnerCenterProcessor.description);
    const env =
      (processor?.[1].Properties?.Environment as { Variables: Record<string, unknown> } | undefined)
        ?.Variables ?? {};
    expect(env.PARTNER_CENTER_CLIENT_SECRET).toBeUndefined();
    expect(env.PARTNER_CENTER_CLIENT_SECRET_ARN).toEqual({ Ref: secretId });
    expect(env.PARTNER_CENTER_PARTNER_ID).toBe(TEST_CONTEXT.partnerCenter.partnerId);
    expect(env.PARTNER_CENTER_TOKEN_URL).toBe(
      `https://login.microsoftonline.com/${TEST_CONTEXT.partnerCenter.partnerId}/oauth2/v2.0/token`,
    );
    expect(env.GRAPH_TOKEN_URL).toBe(
      "https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token",
    );
    expect(env.GRAPH_API_URL).toBe("https://graph.microsoft.com");
  });

  it("runs the reconciliation daily with retries and its own dead-letter queue", () => {
    const reconcile = describedAs(on, FUNCTIONS.partnerCenterReconcile.description)?.[0];
    const schedule = resourcesOfType(on.template, "AWS::Scheduler::Schedule").find(([, s]) =>
      JSON.stringify(s.Properties?.Target).includes(reconcile as string),
    );
    const target = schedule?.[1].Properties?.Target as {
      DeadLetterConfig?: { Arn: unknown };
      RetryPolicy?: { MaximumRetryAttempts: number };
    };
    expect(schedule?.[1].Properties?.ScheduleExpression).toBe("cron(30 5 * * ? *)");
    expect(target.DeadLetterConfig?.Arn).toBeDefined();
    expect(target.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
  });
});

describe("partnerCenter context", () => {
  const read = (partnerCenter: unknown) =>
    readDeployConfig((key) => ({ ...TEST_CONTEXT, partnerCenter })[key], {});

  it("accepts null, an object, and -c JSON text", () => {
    expect(read(null).partnerCenter).toBeNull();
    expect(read(JSON.stringify(TEST_CONTEXT.partnerCenter)).partnerCenter?.partnerId).toBe(
      TEST_CONTEXT.partnerCenter.partnerId,
    );
  });

  it.each([
    [{ clientId: "x" }, /partnerCenter\.partnerId/],
    [
      { ...TEST_CONTEXT.partnerCenter, apiUrl: "http://api.example" },
      /apiUrl: must be an https URL/,
    ],
    [{ ...TEST_CONTEXT.partnerCenter, certificateHosts: ["evil/x"] }, /certificateHosts/],
    [{ ...TEST_CONTEXT.partnerCenter, clientSecret: "s3cret" }, /clientSecret|Unrecognized/],
    [{ ...TEST_CONTEXT.partnerCenter, webhookConcurrency: 0 }, /webhookConcurrency/],
    ["{not json", /partnerCenter/],
  ])("fails synth on %j", (value, message) => {
    expect(() => read(value)).toThrow(message);
  });
});
