/** The Entra ID settings of the deployed web app, checked at synth and at Lambda start-up. */
import * as z from "zod";

const Guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

/** An Entra app role value: letters, digits and . _ - (no spaces), e.g. Transfers.Read. */
export const AppRole = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/, "must be an app role value such as Transfers.Read");

export const EntraTenantId = Guid;
export const EntraClientId = Guid;
export const DEFAULT_APP_ROLE = "Transfers.Read";
