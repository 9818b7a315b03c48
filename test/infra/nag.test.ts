/**
 * cdk-nag's AwsSolutions and Serverless packs over the whole stack: any unsuppressed finding
 * (error or warning) fails, and every suppression is on one resource and says why.
 */
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { SynthesisMessage } from "aws-cdk-lib/cx-api";
import { beforeAll, describe, expect, it } from "vitest";
import { type BuiltStack, buildStack } from "./support/stack.js";

/**
 * Every suppression in the stack, by rule, with the resources (logical id prefixes) that carry
 * it. A new suppression must be added here on purpose, with its reason in the construct.
 */
const EXPECTED_SUPPRESSIONS: Record<string, RegExp> = {
  // X-Ray's two actions cannot be scoped to a resource (each function role's policy).
  "AwsSolutions-IAM5": /(RoleDefaultPolicy[0-9A-F]{8})$/,
  // Dead-letter queues need no dead-letter queue of their own.
  "Serverless-SQSRedrivePolicy":
    /DeadLettersQueue[0-9A-F]{8}$|UndeliveredAlarmEmailsQueue[0-9A-F]{8}$/,
  // The schedule's and the alarm subscription's DLQs are DLQs of things cdk-nag does not follow.
  "AwsSolutions-SQS3":
    /ExpiryScanScheduleDeadLettersQueue[0-9A-F]{8}$|UndeliveredAlarmEmailsQueue[0-9A-F]{8}$|ReconcileScheduleDeadLettersQueue[0-9A-F]{8}$/,
  // The Partner Center client secret is rotated in Entra ID, not by a rotation Lambda.
  "AwsSolutions-SMG4": /PartnerCenterClientSecret[0-9A-F]{8}$/,
};

let built: BuiltStack;
let messages: SynthesisMessage[];

beforeAll(() => {
  built = buildStack({ nag: true, bundle: false });
  const annotations = Annotations.fromStack(built.stack);
  messages = [
    ...annotations.findError("*", Match.anyValue()),
    ...annotations.findWarning("*", Match.anyValue()),
  ];
}, 120_000);

type Suppression = { id: string; reason: string; applies_to?: unknown[] };

function suppressions(): { logicalId: string; rule: Suppression }[] {
  const resources = built.template.toJSON().Resources as Record<
    string,
    { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } }
  >;
  return Object.entries(resources).flatMap(([logicalId, resource]) =>
    (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule) => ({ logicalId, rule })),
  );
}

describe("cdk-nag", () => {
  it("reports no unsuppressed error or warning (AwsSolutions, Serverless)", () => {
    const findings = messages.map((m) => `${m.id}: ${String(m.entry.data).split("\n")[0]}`);
    expect(findings).toEqual([]);
  });

  it("ran both packs (a finding it cannot see would pass silently otherwise)", () => {
    // The same stack plus a bare queue with TLS not enforced: both packs must flag it.
    const probe = buildStack({
      nag: true,
      bundle: false,
      extend: (stack) => new Queue(stack, "ProbeQueue", { enforceSSL: false }),
    });
    const annotations = Annotations.fromStack(probe.stack);
    const found = [
      ...annotations.findError("*", Match.anyValue()),
      ...annotations.findWarning("*", Match.anyValue()),
    ].map((m) => String(m.entry.data));
    expect(found.some((d) => d.startsWith("AwsSolutions-SQS4"))).toBe(true);
    expect(found.some((d) => d.startsWith("Serverless-SQSRedrivePolicy"))).toBe(true);
  });

  it("has no stack-wide suppression", () => {
    const metadata = built.stack.templateOptions.metadata ?? {};
    expect(metadata).not.toHaveProperty("cdk_nag");
  });

  it("scopes every suppression to one resource, with a reason, and only the expected ones", () => {
    const all = suppressions();
    expect(all.length).toBeGreaterThan(0);
    for (const { logicalId, rule } of all) {
      const expected = EXPECTED_SUPPRESSIONS[rule.id];
      expect(expected, `unexpected suppression ${rule.id} on ${logicalId}`).toBeDefined();
      expect(logicalId, rule.id).toMatch(expected as RegExp);
      expect(rule.reason.length, `${rule.id} on ${logicalId} says why`).toBeGreaterThanOrEqual(40);
    }
  });

  it("limits the IAM5 suppressions to the exact wildcard resources", () => {
    for (const { logicalId, rule } of suppressions().filter(
      (s) => s.rule.id === "AwsSolutions-IAM5",
    )) {
      expect(rule.applies_to, logicalId).toBeDefined();
      expect(rule.applies_to?.length, logicalId).toBe(1);
    }
  });
});
