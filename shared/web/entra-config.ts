/** The Entra ID settings of the deployed web app, checked at synth and at Lambda start-up. */
import * as z from "zod";

/**
 * A GUID in any case, kept in lower case: Entra ID writes tenant and client ids in lower case in
 * the tokens it issues (issuer, audience, tid), and a GUID names the same thing in either case.
 */
const Guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

/** An Entra GUID setting, or "" for not configured; trimmed and lower-cased. */
export const OptionalGuid = z.preprocess(
  (value) => (typeof value === "string" ? value.trim() : value),
  z.union([z.literal(""), Guid]).transform((guid) => guid.toLowerCase()),
);

/** An Entra app role value: letters, digits and . _ - (no spaces), e.g. Transfers.Read. */
export const AppRole = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/, "must be an app role value such as Transfers.Read");

export const EntraTenantId = Guid;
export const EntraClientId = Guid;
export const DEFAULT_APP_ROLE = "Transfers.Read";
