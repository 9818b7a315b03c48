/**
 * Each function's `environment` block, checked at synth with the same zod schema the function
 * parses at start-up (shared/config/env.ts): a missing or malformed variable fails `cdk synth`.
 */
import type { z } from "zod";
import { ExpiryScanEnv, NotifierEnv, type RawEnv, TrackerEnv } from "../shared/config/env.js";
import type { EnvKind } from "../shared/functions.js";
import { PartnerCenterEnv, PartnerCenterWebhookEnv } from "../shared/partner-center/env.js";

export const ENV_SCHEMAS = {
  tracker: TrackerEnv,
  expiryScan: ExpiryScanEnv,
  notifier: NotifierEnv,
  partnerCenter: PartnerCenterEnv,
  partnerCenterWebhook: PartnerCenterWebhookEnv,
} as const satisfies Record<EnvKind, z.ZodObject>;

/** The variables a function of each kind must be given, every one as a string. */
export type FunctionEnvironments = { [K in EnvKind]: RawEnv<(typeof ENV_SCHEMAS)[K]> };

/**
 * Validates one function's variables against its schema and returns them. CDK tokens (table
 * name, bus name) are strings at synth time and pass the length checks; literal values from the
 * deployment configuration are checked for real.
 */
export function functionEnvironment<K extends EnvKind>(
  kind: K,
  values: FunctionEnvironments[K],
): Record<string, string> {
  const schema: z.ZodObject = ENV_SCHEMAS[kind];
  const result = schema.strict().safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`,
    );
    throw new Error(`Invalid environment for ${kind} functions: ${problems.join("; ")}`);
  }
  return { ...values };
}
