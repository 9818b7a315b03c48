/** Builds the tracker stack the way infra/app.ts does, with test context. */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { App, Aspects } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { type ContextKey, readDeployConfig } from "../../../infra/config.js";
import { TrackerStack } from "../../../infra/tracker-stack.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const TEST_CONTEXT = {
  stage: "test",
  busName: "csp-transfers-test",
  senderEmail: "reminders@contoso.example",
  sesIdentity: "",
  createSesIdentity: true,
  allowedAccountIds: ["111111111111", "222222222222"],
  reminderThresholds: "60,30,14,7,1",
  scanSchedule: "cron(0 6 * * ? *)",
  alarmEmail: "ops@contoso.example",
  logLevel: "INFO",
  // No web app here (its own tests set these: test/infra/web-app.test.ts).
  entraTenantId: "",
  entraClientId: "",
  entraAppRole: "Transfers.Read",
  // The full stack, Partner Center connector included (null leaves it out).
  partnerCenter: {
    partnerId: "5b6f1c2a-0d3e-4f5a-8b9c-1d2e3f4a5b6c",
    partnerCountry: "GB",
    clientId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
  },
} satisfies Record<ContextKey, unknown>;

export type BuiltStack = { app: App; stack: TrackerStack; template: Template };

export function buildStack(
  options: {
    context?: Partial<Record<ContextKey, unknown>>;
    /** Run cdk-nag's AwsSolutions and Serverless packs, as infra/app.ts does. */
    nag?: boolean;
    /** Skip esbuild (template-only tests that do not need the bundles). */
    bundle?: boolean;
    /** Adds constructs before synthesis (probes for the checks themselves). */
    extend?: (stack: TrackerStack) => void;
  } = {},
): BuiltStack {
  const context = { ...TEST_CONTEXT, ...options.context };
  const app = new App({
    context: options.bundle === false ? { "aws:cdk:bundling-stacks": [] } : {},
  });
  const config = readDeployConfig((key) => context[key], {
    CDK_DEFAULT_ACCOUNT: "123456789012",
    CDK_DEFAULT_REGION: "eu-west-1",
  });
  const stack = new TrackerStack(app, "TrackerUnderTest", {
    env: { account: config.account, region: config.region },
    config,
    projectRoot: REPO_ROOT,
  });
  options.extend?.(stack);
  if (options.nag === true) {
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    Aspects.of(app).add(new ServerlessChecks({ verbose: true }));
  }
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

export type PolicyStatement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** Every statement of every IAM policy (inline policies of roles included), with its policy id. */
export function iamStatements(
  template: Template,
): { policy: string; statement: PolicyStatement }[] {
  const statements: { policy: string; statement: PolicyStatement }[] = [];
  for (const [id, policy] of resourcesOfType(template, "AWS::IAM::Policy")) {
    const doc = policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] };
    for (const statement of doc.Statement) statements.push({ policy: id, statement });
  }
  for (const [id, role] of resourcesOfType(template, "AWS::IAM::Role")) {
    const inline = (role.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: PolicyStatement[] };
    }[];
    for (const p of inline) {
      for (const statement of p.PolicyDocument.Statement)
        statements.push({ policy: id, statement });
    }
  }
  return statements;
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
