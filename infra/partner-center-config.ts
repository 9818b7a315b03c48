/**
 * The `partnerCenter` context value: the connector's deployment settings, validated at synth.
 * `null` (the cdk.json default) leaves the connector out. `-c partnerCenter='{...}'` arrives as
 * JSON text and is parsed first. The client secret is not here: it lives in Secrets Manager.
 */
import * as z from "zod";
import { CountryCode } from "../shared/events/primitives.js";
import {
  DEFAULT_API_URL,
  DEFAULT_CERTIFICATE_HOSTS,
  entraTokenUrl,
} from "../shared/partner-center/config.js";

const HttpsUrl = z.url({ protocol: /^https$/, error: "must be an https URL" });
const HostPort = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$/, "must be host or host:port");
const Schedule = z
  .string()
  .trim()
  .regex(
    /^(cron\((\S+\s+){5}\S+\)|rate\(\d+\s+(minute|minutes|hour|hours|day|days)\))$/,
    'must be an EventBridge Scheduler expression such as "cron(30 5 * * ? *)"',
  );

const Settings = z
  .object({
    /** The partner's Entra tenant id: the partnerId of the events the connector emits. */
    partnerId: z.string().trim().min(1, "must be the partner's tenant id"),
    partnerCountry: CountryCode.optional(),
    /** The Entra app registration used with client credentials. */
    clientId: z.string().trim().min(1, "must be the app registration's client id"),
    apiUrl: HttpsUrl.default(DEFAULT_API_URL),
    tokenUrl: HttpsUrl.optional(),
    certificateHosts: z.array(HostPort).min(1).default(DEFAULT_CERTIFICATE_HOSTS),
    reconcileSchedule: Schedule.default("cron(30 5 * * ? *)"),
    /** Reserved concurrency of the webhook receiver: its throttle. */
    webhookConcurrency: z.number().int().min(1).max(100).default(10),
  })
  .strict()
  .transform((s) => ({
    ...s,
    apiUrl: s.apiUrl.replace(/\/+$/, ""),
    tokenUrl: s.tokenUrl ?? entraTokenUrl(s.partnerId),
  }));

export const PartnerCenterContext = z.preprocess((value) => {
  if (value === undefined || value === "" || value === "null") return null;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}, Settings.nullable());

export type PartnerCenterSettings = z.infer<typeof Settings>;
