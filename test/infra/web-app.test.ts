/**
 * The deployed web app (infra/constructs/web-app.ts), read from the synthesized stack with the
 * Entra ID settings configured: a private bucket behind CloudFront with origin access control,
 * /api/* and /calendar/* to the IAM-protected function URL, security headers, least privilege,
 * and cdk-nag clean with a reason for every suppression.
 */
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { readDeployConfig } from "../../infra/config.js";
import { WEB_APP_CSP } from "../../infra/constructs/web-app.js";
import {
  asArray,
  type BuiltStack,
  buildStack,
  iamStatements,
  resourcesOfType,
  TEST_CONTEXT,
} from "./support/stack.js";

const ENTRA = {
  entraTenantId: "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  entraClientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  entraAppRole: "Transfers.Read",
};

/** Suppressions the web app may carry (resource logical id prefix per rule). */
const WEB_APP_SUPPRESSIONS: Record<string, RegExp> = {
  "AwsSolutions-S1": /^WebAppAccessLogs[0-9A-F]{8}$/,
  "AwsSolutions-SMG4": /^WebAppCalendarSecret[0-9A-F]{8}$/,
  "AwsSolutions-CFR1": /^WebAppDistribution[0-9A-F]{8}$/,
  "AwsSolutions-CFR2": /^WebAppDistribution[0-9A-F]{8}$/,
  "AwsSolutions-CFR4": /^WebAppDistribution[0-9A-F]{8}$/,
  "AwsSolutions-IAM5": /(RoleDefaultPolicy[0-9A-F]{8})$/,
  "AwsSolutions-L1": /^CustomCDKBucketDeployment[0-9A-F]{32}256MiB/,
  "Serverless-LambdaDLQ": /^CustomCDKBucketDeployment[0-9A-F]{32}256MiB/,
  "Serverless-LambdaDefaultMemorySize": /^CustomCDKBucketDeployment[0-9A-F]{32}256MiB/,
  "Serverless-LambdaLatestVersion": /^CustomCDKBucketDeployment[0-9A-F]{32}256MiB/,
  "Serverless-LambdaTracing": /^CustomCDKBucketDeployment[0-9A-F]{32}256MiB/,
  "Serverless-SQSRedrivePolicy":
    /DeadLettersQueue[0-9A-F]{8}$|UndeliveredAlarmEmailsQueue[0-9A-F]{8}$/,
  "AwsSolutions-SQS3":
    /ExpiryScanScheduleDeadLettersQueue[0-9A-F]{8}$|UndeliveredAlarmEmailsQueue[0-9A-F]{8}$/,
};

let built: BuiltStack;

beforeAll(() => {
  built = buildStack({ context: ENTRA, nag: true, bundle: false });
}, 180_000);

const resources = () =>
  built.template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;

describe("cdk-nag", () => {
  it("reports no unsuppressed error or warning with the web app", () => {
    const annotations = Annotations.fromStack(built.stack);
    const findings = [
      ...annotations.findError("*", Match.anyValue()),
      ...annotations.findWarning("*", Match.anyValue()),
    ].map((m) => `${m.id}: ${String(m.entry.data).split("\n")[0]}`);
    expect(findings).toEqual([]);
  });

  it("suppresses only the expected rules, on the expected resources, each with a reason", () => {
    // The rest of the stack's suppressions are nag.test.ts's business.
    const webApp = Object.entries(resources()).filter(([id]) =>
      /^(WebApp|CustomCDKBucketDeployment)/.test(id),
    );
    expect(webApp.length).toBeGreaterThan(0);
    for (const [logicalId, resource] of webApp) {
      const rules =
        (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] })
          ?.rules_to_suppress ?? [];
      for (const rule of rules) {
        const expected = WEB_APP_SUPPRESSIONS[rule.id];
        expect(expected, `unexpected ${rule.id} on ${logicalId}`).toBeDefined();
        expect(logicalId, rule.id).toMatch(expected as RegExp);
        expect(rule.reason.length, `${rule.id} on ${logicalId}`).toBeGreaterThanOrEqual(40);
      }
    }
  });
});

describe("static assets", () => {
  it("live in a private, encrypted, TLS-only bucket that only the distribution reads", () => {
    const [siteId, site] =
      resourcesOfType(built.template, "AWS::S3::Bucket").find(([id]) =>
        id.startsWith("WebAppSite"),
      ) ?? [];
    expect(siteId).toBeDefined();
    expect(site?.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(site?.Properties?.WebsiteConfiguration).toBeUndefined();
    const policy = resourcesOfType(built.template, "AWS::S3::BucketPolicy").find(([, p]) =>
      JSON.stringify(p.Properties?.Bucket).includes(siteId ?? "?"),
    );
    const statements = (
      (policy?.[1].Properties?.PolicyDocument ?? {}) as { Statement: Record<string, unknown>[] }
    ).Statement;
    // Besides CloudFront's reads, only the auto-delete custom resource (emptying it on delete).
    const reads = statements.filter(
      (s) => s.Effect === "Allow" && !JSON.stringify(s.Principal).includes("CustomS3AutoDelete"),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
    expect(JSON.stringify(reads[0]?.Condition)).toContain("AWS:SourceArn");
    expect(
      statements.some(
        (s) => s.Effect === "Deny" && JSON.stringify(s).includes("aws:SecureTransport"),
      ),
    ).toBe(true);
  });
});

describe("the distribution", () => {
  const distribution = () => {
    const found = resourcesOfType(built.template, "AWS::CloudFront::Distribution");
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties?.DistributionConfig as {
      Origins: {
        Id: string;
        DomainName: unknown;
        OriginAccessControlId?: unknown;
        S3OriginConfig?: unknown;
      }[];
      DefaultCacheBehavior: {
        TargetOriginId: string;
        ViewerProtocolPolicy: string;
        ResponseHeadersPolicyId: unknown;
      };
      CacheBehaviors: {
        PathPattern: string;
        TargetOriginId: string;
        ViewerProtocolPolicy: string;
        AllowedMethods: string[];
        CachePolicyId: string;
        ResponseHeadersPolicyId: unknown;
        FunctionAssociations?: unknown[];
      }[];
      Logging?: unknown;
    };
  };

  it("sends /api/* and /calendar/* to the function URL, uncached, with origin access control", () => {
    const config = distribution();
    const patterns = config.CacheBehaviors.map((b) => b.PathPattern).sort();
    expect(patterns).toEqual(["/api/*", "/calendar/*"]);
    const origins = new Map(config.Origins.map((o) => [o.Id, o]));
    for (const behavior of config.CacheBehaviors) {
      const origin = origins.get(behavior.TargetOriginId);
      expect(JSON.stringify(origin?.DomainName)).toContain("FunctionUrl");
      expect(origin?.OriginAccessControlId).toBeDefined();
      expect(behavior.ViewerProtocolPolicy).toBe("https-only");
      expect(behavior.AllowedMethods).toEqual(["GET", "HEAD"]);
      // CachingDisabled (managed policy id).
      expect(behavior.CachePolicyId).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
    }
    const api = config.CacheBehaviors.find((b) => b.PathPattern === "/api/*");
    expect(api?.FunctionAssociations).toHaveLength(1);
    const site = origins.get(config.DefaultCacheBehavior.TargetOriginId);
    expect(site?.OriginAccessControlId).toBeDefined();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.Logging).toBeDefined();
  });

  it("moves the viewer's bearer token out of the header origin access control signs", () => {
    const [, fn] =
      resourcesOfType(built.template, "AWS::CloudFront::Function").find(([id]) =>
        id.includes("MoveBearer"),
      ) ?? [];
    const code = String(fn?.Properties?.FunctionCode);
    expect(code).toContain("delete headers['x-forwarded-authorization']");
    expect(code).toContain(
      "headers['x-forwarded-authorization'] = { value: headers.authorization.value }",
    );
    expect(code).toContain("delete headers.authorization");
  });

  it("answers with CSP, HSTS, no framing, no sniffing and no referrer", () => {
    const [, policy] =
      resourcesOfType(built.template, "AWS::CloudFront::ResponseHeadersPolicy")[0] ?? [];
    const headers = (
      (policy?.Properties?.ResponseHeadersPolicyConfig ?? {}) as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      }
    ).SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy?.ContentSecurityPolicy).toBe(WEB_APP_CSP);
    expect(WEB_APP_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_APP_CSP).not.toContain("unsafe-inline");
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: "DENY", Override: true });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: "no-referrer" });
    const config = distribution();
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({
        Ref: expect.stringMatching(/^WebAppSecurityHeaders/),
      });
    }
  });
});

describe("the web API function", () => {
  const apiFunction = () =>
    resourcesOfType(built.template, "AWS::Lambda::Function").find(([id]) =>
      id.startsWith("WebAppApi"),
    ) ?? [];

  it("is reachable only through CloudFront (IAM-authenticated function URL)", () => {
    const [fnId] = apiFunction();
    const urls = resourcesOfType(built.template, "AWS::Lambda::Url").filter(([id]) =>
      id.startsWith("WebApp"),
    );
    expect(urls).toHaveLength(1);
    expect(urls[0]?.[1].Properties?.AuthType).toBe("AWS_IAM");
    expect(JSON.stringify(urls[0]?.[1].Properties?.TargetFunctionArn)).toContain(fnId ?? "?");
    const [urlId] = urls[0] ?? [];
    const permissions = resourcesOfType(built.template, "AWS::Lambda::Permission").filter(([, p]) =>
      JSON.stringify(p.Properties?.FunctionName).includes(urlId ?? "?"),
    );
    // lambda:InvokeFunctionUrl and lambda:InvokeFunction (only via the URL), both for CloudFront.
    expect(permissions.map(([, p]) => p.Properties?.Action).sort()).toEqual([
      "lambda:InvokeFunction",
      "lambda:InvokeFunctionUrl",
    ]);
    for (const [, p] of permissions) {
      expect(p.Properties?.Principal).toBe("cloudfront.amazonaws.com");
      expect(JSON.stringify(p.Properties?.SourceArn)).toContain("distribution/");
    }
  });

  it("gets the Entra ID settings from cdk.json context", () => {
    const [, fn] = apiFunction();
    const variables = (
      (fn?.Properties?.Environment ?? {}) as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.ENTRA_TENANT_ID).toBe(ENTRA.entraTenantId);
    expect(variables.ENTRA_CLIENT_ID).toBe(ENTRA.entraClientId);
    expect(variables.ENTRA_REQUIRED_ROLE).toBe(ENTRA.entraAppRole);
  });

  it("may only read the table and the read-side indexes, never Scan, and read its calendar secret", () => {
    const role = resourcesOfType(built.template, "AWS::IAM::Role").find(([id]) =>
      id.startsWith("WebAppApiRole"),
    );
    const statements = iamStatements(built.template).filter(({ policy }) =>
      policy.startsWith("WebAppApiRole"),
    );
    expect(role).toBeDefined();
    const dynamo = statements.filter(({ statement }) =>
      asArray(statement.Action).some((a) => a.startsWith("dynamodb:")),
    );
    expect(dynamo).toHaveLength(1);
    expect(asArray(dynamo[0]?.statement.Action).sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:Query",
    ]);
    expect(JSON.stringify(dynamo[0]?.statement.Resource)).toContain("/index/byListShard");
    expect(JSON.stringify(dynamo[0]?.statement.Resource)).toContain("/index/byPartnerEntry");
    expect(JSON.stringify(dynamo[0]?.statement.Resource)).not.toContain("/index/*");
    const secrets = statements.filter(({ statement }) =>
      asArray(statement.Action).includes("secretsmanager:GetSecretValue"),
    );
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets[0]?.statement.Resource)).toContain("WebAppCalendarSecret");
  });

  it("alarms on errors, throttles and dead letters, notifying the alarm topic", () => {
    const [fnId] = apiFunction();
    const [topicId] = resourcesOfType(built.template, "AWS::SNS::Topic")[0] ?? [];
    const alarms = resourcesOfType(built.template, "AWS::CloudWatch::Alarm").filter(([id]) =>
      id.startsWith("WebApp"),
    );
    for (const metric of ["Errors", "Throttles"]) {
      const alarm = alarms.find(
        ([, a]) =>
          a.Properties?.MetricName === metric &&
          JSON.stringify(a.Properties?.Dimensions).includes(fnId ?? "?"),
      );
      expect(alarm, metric).toBeDefined();
    }
    expect(alarms.length).toBe(3);
    for (const [id, alarm] of alarms)
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: topicId }]);
  });

  it("uses no AWS managed policy and no Resource * except X-Ray", () => {
    for (const [id, role] of resourcesOfType(built.template, "AWS::IAM::Role").filter(([i]) =>
      i.startsWith("WebApp"),
    )) {
      expect(role.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
    for (const { policy, statement } of iamStatements(built.template).filter(({ policy }) =>
      policy.startsWith("WebApp"),
    )) {
      if (!asArray(statement.Resource).includes("*")) continue;
      expect(asArray(statement.Action).sort(), policy).toEqual([
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]);
    }
  });

  it("publishes the web app URL and the calendar secret for the CLI", () => {
    const outputs = built.template.toJSON().Outputs as Record<string, unknown>;
    expect(outputs.WebAppUrl).toBeDefined();
    expect(outputs.CalendarSecretArn).toBeDefined();
  });
});

describe("configuration", () => {
  const config = (overrides: Record<string, unknown>) =>
    readDeployConfig((key) => ({ ...TEST_CONTEXT, ...ENTRA, ...overrides })[key], {});

  it("defaults the app role to Transfers.Read and leaves the web app out when Entra ID is not set", () => {
    expect(config({ entraAppRole: undefined }).entraAppRole).toBe("Transfers.Read");
    expect(config({ entraTenantId: "", entraClientId: "" }).entraTenantId).toBe("");
    const without = buildStack({ bundle: false });
    expect(resourcesOfType(without.template, "AWS::CloudFront::Distribution")).toHaveLength(0);
  });

  it.each([
    [{ entraTenantId: "contoso.onmicrosoft.com" }, "entraTenantId: must be a GUID"],
    [{ entraClientId: "12345" }, "entraClientId: must be a GUID"],
    [{ entraClientId: "" }, "entraClientId: entraTenantId and entraClientId go together"],
    [{ entraAppRole: "Transfers Read" }, "entraAppRole: must be an app role value"],
  ])("refuses %j at synth, naming the key", (overrides, message) => {
    expect(() => config(overrides)).toThrow(message);
  });
});
