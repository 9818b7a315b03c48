/**
 * The Partner Center connector in the stack: deployed only when configured, the receiver behind
 * a Function URL without AWS auth and throttled by reserved concurrency, the secret readable by
 * the API functions only, the daily reconciliation with its own DLQ, the settings validated at
 * synth. The full stack with the connector is also covered by stack.test.ts and nag.test.ts.
 */
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDeployConfig } from "../../infra/config.js";
import { TestAuthority } from "../../local/fakes/partner-center/certificates.js";
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
let tuned: BuiltStack;
/** A public root (from the runtime's store) standing for one Microsoft might move to. */
const ROOT = rootCertificates.find((pem) => pem.length < 1_400) as string;
const TUNED = {
  ...TEST_CONTEXT.partnerCenter,
  certificateHosts: ["3psostorageacct.blob.core.windows.net", "certs.example.com:8443"],
  caIssuerHosts: ["www.microsoft.com", "cacerts.digicert.com", "pki.example.com"],
  extraTrustedRoots: [ROOT],
  graphApiUrl: "https://graph.microsoft.us/",
  graphTokenUrl: "https://login.microsoftonline.us/{tenantId}/oauth2/v2.0/token",
};

beforeAll(() => {
  on = buildStack({ bundle: false });
  off = buildStack({ bundle: false, context: { partnerCenter: null } });
  tuned = buildStack({ bundle: false, context: { partnerCenter: TUNED } });
}, 180_000);

const environmentOf = (built: BuiltStack, description: string) =>
  (
    describedAs(built, description)?.[1].Properties?.Environment as
      | { Variables: Record<string, unknown> }
      | undefined
  )?.Variables ?? {};
const webhookEnv = (built: BuiltStack) =>
  environmentOf(built, FUNCTIONS.partnerCenterWebhook.description);

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

describe("the receiver's trust settings", () => {
  it("default to Microsoft's hosts and the runtime's root store", () => {
    expect(webhookEnv(on)).toMatchObject({
      PARTNER_CENTER_CERT_HOSTS: "3psostorageacct.blob.core.windows.net",
      PARTNER_CENTER_CA_ISSUER_HOSTS: "www.microsoft.com,cacerts.digicert.com",
      PARTNER_CENTER_EXTRA_ROOTS: "",
    });
  });

  it("are passed to the webhook function as configured", () => {
    expect(webhookEnv(tuned)).toMatchObject({
      PARTNER_CENTER_CERT_HOSTS: "3psostorageacct.blob.core.windows.net,certs.example.com:8443",
      PARTNER_CENTER_CA_ISSUER_HOSTS: "www.microsoft.com,cacerts.digicert.com,pki.example.com",
      PARTNER_CENTER_EXTRA_ROOTS: ROOT.trim(),
    });
  });
});

describe("the Graph endpoints of the tenant reads", () => {
  it("default to Microsoft's global cloud, and follow the context for another", () => {
    const reconcile = FUNCTIONS.partnerCenterReconcile.description;
    expect(environmentOf(on, reconcile)).toMatchObject({
      GRAPH_API_URL: "https://graph.microsoft.com",
      GRAPH_TOKEN_URL: "https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token",
    });
    expect(environmentOf(tuned, reconcile)).toMatchObject({
      GRAPH_API_URL: "https://graph.microsoft.us",
      GRAPH_TOKEN_URL: "https://login.microsoftonline.us/{tenantId}/oauth2/v2.0/token",
    });
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
    [
      { ...TEST_CONTEXT.partnerCenter, graphApiUrl: "http://graph.example" },
      /graphApiUrl: must be an https URL/,
    ],
    [
      { ...TEST_CONTEXT.partnerCenter, graphTokenUrl: "https://login.example/common/token" },
      /graphTokenUrl: must contain \{tenantId\}/,
    ],
    [{ ...TEST_CONTEXT.partnerCenter, clientSecret: "s3cret" }, /clientSecret|Unrecognized/],
    [{ ...TEST_CONTEXT.partnerCenter, webhookConcurrency: 0 }, /webhookConcurrency/],
    ["{not json", /partnerCenter/],
    [
      { ...TEST_CONTEXT.partnerCenter, caIssuerHosts: ["http://www.microsoft.com"] },
      /caIssuerHosts/,
    ],
    [{ ...TEST_CONTEXT.partnerCenter, caIssuerHosts: [] }, /caIssuerHosts/],
    [{ ...TEST_CONTEXT.partnerCenter, extraTrustedRoots: ["not a pem"] }, /extraTrustedRoots.*PEM/],
    [
      { ...TEST_CONTEXT.partnerCenter, extraTrustedRoots: [ROOT.replace(/[A-Za-z]{8}\n/, "\n")] },
      /extraTrustedRoots.*does not parse/,
    ],
    [
      { ...TEST_CONTEXT.partnerCenter, extraTrustedRoots: [ROOT, ROOT, ROOT] },
      /extraTrustedRoots.*4 KiB/,
    ],
  ])("fails synth on %j", (value, message) => {
    expect(() => read(value)).toThrow(message);
  });

  describe("with certificates made here", () => {
    let authority: TestAuthority;
    beforeAll(() => {
      authority = TestAuthority.create();
    }, 60_000);
    afterAll(() => authority?.dispose());

    it("refuses a leaf or an expired CA as an extra trusted root, accepts a CA", () => {
      const withRoot = (pem: string) => ({
        ...TEST_CONTEXT.partnerCenter,
        extraTrustedRoots: [pem],
      });
      expect(() => read(withRoot(authority.issue().certPem))).toThrow(/not a CA/);
      const expired = authority.issue({
        ca: true,
        notBefore: new Date("2020-01-01"),
        notAfter: new Date("2021-01-01"),
      });
      expect(() => read(withRoot(expired.certPem))).toThrow(/expired/);
      expect(read(withRoot(authority.root.certPem)).partnerCenter?.extraTrustedRoots).toHaveLength(
        1,
      );
    });
  });
});
