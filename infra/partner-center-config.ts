/**
 * The `partnerCenter` context value: the connector's deployment settings, validated at synth.
 * `null` (the cdk.json default) leaves the connector out. `-c partnerCenter='{...}'` arrives as
 * JSON text and is parsed first. The client secret is not here: it lives in Secrets Manager.
 * The receiver's trust settings are here too, for the day Microsoft changes its chain:
 * `certificateHosts` (where the signing certificate may be fetched), `caIssuerHosts` (where its
 * issuers may be fetched from AIA URLs) and `extraTrustedRoots` (PEM roots trusted besides the
 * runtime's root store), each checked at synth. So are the Graph endpoints the reconcile reads
 * customers' tenants through (`graphApiUrl`, `graphTokenUrl`: Microsoft's global cloud by
 * default).
 */
import { X509Certificate } from "node:crypto";
import * as z from "zod";
import { CountryCode } from "../shared/events/primitives.js";
import {
  DEFAULT_API_URL,
  DEFAULT_CA_ISSUER_HOSTS,
  DEFAULT_CERTIFICATE_HOSTS,
  entraTokenUrl,
} from "../shared/partner-center/config.js";
import { DEFAULT_GRAPH_API_URL, DEFAULT_GRAPH_TOKEN_URL } from "../shared/tenant/config.js";

const HttpsUrl = z.url({ protocol: /^https$/, error: "must be an https URL" });
const HostPort = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$/, "must be host or host:port");
/**
 * Lambda allows 4 KiB of environment variables per function in all; the roots travel in one of
 * them, so they must leave room for the others (two RSA-2048 roots fit, a long bundle does not).
 */
export const MAX_EXTRA_ROOTS_CHARS = 3_000;

/** One PEM certificate that parses and is a CA (a root to trust, not a leaf). */
const RootPem = z
  .string()
  .trim()
  .regex(
    /^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----$/,
    "must be one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
  )
  .superRefine((pem, ctx) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      ctx.addIssue({ code: "custom", message: "does not parse as an X.509 certificate" });
      return;
    }
    if (!cert.ca) ctx.addIssue({ code: "custom", message: "is not a CA certificate" });
    if (Date.parse(cert.validTo) < Date.now()) {
      ctx.addIssue({ code: "custom", message: `expired on ${cert.validTo}` });
    }
  });

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
    /** Microsoft Graph for the customers' tenants (SPEC section 10); other clouds differ. */
    graphApiUrl: HttpsUrl.default(DEFAULT_GRAPH_API_URL),
    graphTokenUrl: HttpsUrl.default(DEFAULT_GRAPH_TOKEN_URL).refine(
      (url) => url.includes("{tenantId}"),
      "must contain {tenantId}, where each customer's tenant id goes",
    ),
    certificateHosts: z.array(HostPort).min(1).default(DEFAULT_CERTIFICATE_HOSTS),
    caIssuerHosts: z.array(HostPort).min(1).default(DEFAULT_CA_ISSUER_HOSTS),
    extraTrustedRoots: z
      .array(RootPem)
      .default([])
      .refine(
        (roots) => roots.join("\n").length <= MAX_EXTRA_ROOTS_CHARS,
        `must total at most ${MAX_EXTRA_ROOTS_CHARS} characters (Lambda's 4 KiB environment limit)`,
      ),
    reconcileSchedule: Schedule.default("cron(30 5 * * ? *)"),
    /** Reserved concurrency of the webhook receiver: its throttle. */
    webhookConcurrency: z.number().int().min(1).max(100).default(10),
  })
  .strict()
  .transform((s) => ({
    ...s,
    apiUrl: s.apiUrl.replace(/\/+$/, ""),
    graphApiUrl: s.graphApiUrl.replace(/\/+$/, ""),
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
