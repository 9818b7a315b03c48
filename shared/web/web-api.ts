/**
 * The deployed web API (the Lambda behind CloudFront's /api/* and /calendar/*): the JSON API
 * behind Microsoft Entra ID sign-in, and the calendar feed behind its token. Pure wiring, so the
 * tests drive exactly what Lambda runs, with their own keys and table.
 */
import * as z from "zod";
import { DEFAULT_REMINDER_THRESHOLDS, ReminderThresholds } from "../config/thresholds.js";
import type { WebRoute } from "../http/routes.js";
import type { ReadSource } from "../queries/index.js";
import { calendarRoutes, jsonApiRoutes } from "./app-routes.js";
import { type EntraAuthConfig, entraTokenVerifier, requireSignIn } from "./entra-auth.js";
import { AppRole, DEFAULT_APP_ROLE, EntraClientId, EntraTenantId } from "./entra-config.js";

/** Where the bearer token arrives behind CloudFront (its viewer-request function moves it). */
export const FORWARDED_AUTHORIZATION_HEADER = "x-forwarded-authorization";

/** The web API function's environment; the CDK construct builds it from the same schema. */
export const WebApiEnv = z.object({
  TABLE_NAME: z.string().min(3),
  CALENDAR_SECRET_ARN: z.string().min(1),
  ENTRA_TENANT_ID: EntraTenantId,
  ENTRA_CLIENT_ID: EntraClientId,
  ENTRA_REQUIRED_ROLE: AppRole.prefault(DEFAULT_APP_ROLE),
  REMINDER_THRESHOLDS: ReminderThresholds.prefault(DEFAULT_REMINDER_THRESHOLDS),
  POWERTOOLS_SERVICE_NAME: z.string().default("csp-transfer-tracker"),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
});
export type WebApiEnv = z.infer<typeof WebApiEnv>;

export type WebApiOptions = {
  source: ReadSource;
  calendarSecret: () => Promise<Buffer>;
  thresholds: readonly number[];
  auth: EntraAuthConfig;
  /** Header the bearer token is read from (default: behind CloudFront). */
  authHeader?: string;
  log?: (reason: string) => void;
  clock?: () => Date;
};

export function webApiRoutes(options: WebApiOptions): WebRoute[] {
  const deps = {
    source: options.source,
    calendarSecret: options.calendarSecret,
    thresholds: options.thresholds,
    ...(options.clock ? { clock: options.clock } : {}),
  };
  return [
    ...requireSignIn(jsonApiRoutes(deps), entraTokenVerifier(options.auth), {
      header: options.authHeader ?? FORWARDED_AUTHORIZATION_HEADER,
      role: options.auth.requiredRole,
      ...(options.log ? { log: options.log } : {}),
    }),
    ...calendarRoutes(deps),
  ];
}
