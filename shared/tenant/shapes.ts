/**
 * The Microsoft Graph and identity platform answers the tenant reader uses, with the fields it
 * reads (extra fields are ignored). Shapes from Microsoft's documentation:
 * - companySubscription (`GET /v1.0/directory/subscriptions`, learn.microsoft.com/graph/api/
 *   resources/companysubscription): `id`, `commerceSubscriptionId`, `skuId`, `skuPartNumber`,
 *   `status` (Enabled, Warning, Suspended, LockedOut, Deleted), `totalLicenses` (Int32),
 *   `nextLifecycleDateTime`, `ownerTenantId` (the partner tenant that created it), `isTrial`,
 *   `createdDateTime`; nullable where the metadata says so.
 * - subscribedSku (`GET /v1.0/subscribedSkus`, .../resources/subscribedsku): `skuId`,
 *   `skuPartNumber`, `consumedUnits` (licenses assigned), `prepaidUnits` (licenseUnitsDetail:
 *   `enabled`, `warning`, `suspended`, `lockedOut`).
 * - A collection page: `{"@odata.context", "value": [...], "@odata.nextLink"?}` (Graph paging).
 * - The token endpoint (OAuth 2.0 client credentials): `{token_type, expires_in, access_token}`,
 *   or an error `{error, error_description, error_codes, timestamp, trace_id, correlation_id}`.
 * - A Graph error: `{error: {code, message, innerError}}`.
 */
import * as z from "zod";

/** A GUID-like id as Graph gives it (compared case-insensitively by the caller). */
const GraphId = z.string().trim().min(1).max(64);

export const GraphCompanySubscription = z.object({
  id: GraphId,
  commerceSubscriptionId: GraphId.nullish(),
  skuId: GraphId,
  skuPartNumber: z.string().max(128).nullish(),
  status: z.enum(["Enabled", "Warning", "Suspended", "LockedOut", "Deleted"]),
  totalLicenses: z.number().int().min(0).max(10_000_000),
  nextLifecycleDateTime: z.string().max(40).nullish(),
  ownerTenantId: z.string().max(64).nullish(),
  isTrial: z.boolean().nullish(),
  createdDateTime: z.string().max(40).nullish(),
});
export type GraphCompanySubscription = z.infer<typeof GraphCompanySubscription>;

export const GraphSubscribedSku = z.object({
  skuId: GraphId,
  skuPartNumber: z.string().min(1).max(128),
  consumedUnits: z.number().int().min(0).max(10_000_000),
  prepaidUnits: z
    .object({
      enabled: z.number().int().nullish(),
      warning: z.number().int().nullish(),
      suspended: z.number().int().nullish(),
      lockedOut: z.number().int().nullish(),
    })
    .nullish(),
});
export type GraphSubscribedSku = z.infer<typeof GraphSubscribedSku>;

/** One page of a Graph collection; the items are checked one by one by the caller. */
export const GraphPage = z.object({
  value: z.array(z.unknown()),
  "@odata.nextLink": z.string().max(4096).nullish(),
});

export const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().optional(),
});

export const TokenError = z.object({
  error: z.string().max(128),
  error_codes: z.array(z.number().int()).max(16).optional(),
});

export const GraphError = z.object({
  error: z.object({ code: z.string().max(128), message: z.string().optional() }),
});
