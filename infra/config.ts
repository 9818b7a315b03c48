/**
 * Deployment configuration: `cdk.json` context (overridable with `-c key=value`) and the
 * target account/region from the environment, validated with zod. A missing or malformed value
 * fails synth with a message naming the key.
 */
import * as z from "zod";
import { ReminderThresholds } from "../shared/config/thresholds.js";
import { AppRole, DEFAULT_APP_ROLE, OptionalGuid } from "../shared/web/entra-config.js";
import { PartnerCenterContext } from "./partner-center-config.js";

/** Context keys the app reads; `cdk.json` carries a default for each. */
export const CONTEXT_KEYS = [
  "stage",
  "busName",
  "senderEmail",
  "sesIdentity",
  "createSesIdentity",
  "allowedAccountIds",
  "reminderThresholds",
  "scanSchedule",
  "alarmEmail",
  "logLevel",
  "entraTenantId",
  "entraClientId",
  "entraAppRole",
  "partnerCenter",
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

const AccountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");

/** `-c allowedAccountIds=111111111111,222222222222` arrives as a string; cdk.json as an array. */
const AccountIdList = z.preprocess(
  (value) =>
    typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : value,
  z.array(AccountId),
);

/** `-c createSesIdentity=true` arrives as a string; cdk.json as a boolean. */
const Flag = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: "must be true or false" }),
);

/** EventBridge Scheduler expression: cron(...) with six fields, or rate(n unit). */
const ScheduleExpression = z
  .string()
  .trim()
  .regex(
    /^(cron\((\S+\s+){5}\S+\)|rate\(\d+\s+(minute|minutes|hour|hours|day|days)\))$/,
    'must be an EventBridge Scheduler expression such as "cron(0 6 * * ? *)" or "rate(1 day)"',
  );

export const DeployContext = z
  .object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, "must be lower-case letters, digits and dashes (max 20)"),
    busName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,256}$/, "must be a valid EventBridge bus name")
      .refine((name) => name !== "default", "must not be the default bus"),
    senderEmail: z.email("must be the email address reminders are sent from"),
    /** The verified SES identity that covers senderEmail: the address itself or its domain. */
    sesIdentity: z.string().trim().optional(),
    createSesIdentity: Flag,
    allowedAccountIds: AccountIdList,
    reminderThresholds: z.preprocess(
      (value) => (Array.isArray(value) ? value.join(",") : value),
      z.string(),
    ),
    scanSchedule: ScheduleExpression,
    /** Where alarm notifications are emailed; empty means alarms notify nobody. */
    alarmEmail: z.union([z.literal(""), z.email("must be an email address or empty")]),
    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
    /** The partner's Entra ID tenant and the web app's registration; empty: no web app. */
    entraTenantId: OptionalGuid.default(""),
    entraClientId: OptionalGuid.default(""),
    entraAppRole: AppRole.default(DEFAULT_APP_ROLE),
    /** The Partner Center connector; null or absent: not deployed. */
    partnerCenter: PartnerCenterContext,
  })
  .superRefine((ctx, issues) => {
    const parsed = ReminderThresholds.safeParse(ctx.reminderThresholds);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.addIssue({ code: "custom", path: ["reminderThresholds"], message: issue.message });
      }
    }
    if ((ctx.entraTenantId === "") !== (ctx.entraClientId === "")) {
      issues.addIssue({
        code: "custom",
        path: [ctx.entraTenantId === "" ? "entraTenantId" : "entraClientId"],
        message: "entraTenantId and entraClientId go together (both set deploys the web app)",
      });
    }
    const domain = ctx.senderEmail.split("@")[1]?.toLowerCase();
    const identity = ctx.sesIdentity?.toLowerCase();
    if (identity !== undefined && identity !== "" && identity !== ctx.senderEmail.toLowerCase()) {
      if (identity !== domain) {
        issues.addIssue({
          code: "custom",
          path: ["sesIdentity"],
          message: `must be senderEmail (${ctx.senderEmail}) or its domain (${domain})`,
        });
      }
    }
  });

export type DeployConfig = Omit<z.infer<typeof DeployContext>, "sesIdentity"> & {
  /** SES identity sending is allowed through (defaults to senderEmail). */
  sesIdentity: string;
  /** Reminder thresholds, normalised ("60,30,14,7,1"). */
  reminderThresholds: string;
  /** Target account and region; undefined gives an environment-agnostic stack. */
  account: string | undefined;
  region: string | undefined;
};

/** Reads and validates the configuration; `context` is typically `key => app.node.tryGetContext(key)`. */
export function readDeployConfig(
  context: (key: ContextKey) => unknown,
  env: NodeJS.ProcessEnv = process.env,
): DeployConfig {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, context(key)]));
  const result = DeployContext.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join(".") || "(context)";
      const value = issue.path[0] !== undefined ? raw[String(issue.path[0])] : undefined;
      const shown = value === undefined ? "missing" : `got ${JSON.stringify(value)}`;
      return `  - ${key}: ${issue.message} (${shown})`;
    });
    throw new Error(
      `Invalid deployment configuration (cdk.json "context" or -c key=value):\n${problems.join("\n")}`,
    );
  }
  const parsed = result.data;
  const thresholds = ReminderThresholds.parse(parsed.reminderThresholds);
  const sesIdentity =
    parsed.sesIdentity === undefined || parsed.sesIdentity === ""
      ? parsed.senderEmail
      : parsed.sesIdentity;
  return {
    ...parsed,
    sesIdentity,
    reminderThresholds: thresholds.join(","),
    account: nonEmpty(env.CDK_DEPLOY_ACCOUNT) ?? nonEmpty(env.CDK_DEFAULT_ACCOUNT),
    region: nonEmpty(env.CDK_DEPLOY_REGION) ?? nonEmpty(env.CDK_DEFAULT_REGION),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
