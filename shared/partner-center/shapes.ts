/**
 * The Partner Center API resources the connector reads, with the fields it uses (extra fields are
 * ignored). Shapes from Partner Center's REST reference: Subscription, Customer, the
 * `{totalCount, items, links}` resource collection — a seek-based one pages with `links.next`
 * `{uri, method, headers: [{key: "MS-ContinuationToken", value}]}`, its `uri` relative to the
 * API's version root — and the RelationshipRequest `{url}`.
 */
import * as z from "zod";

const Link = z.object({ uri: z.string().optional() }).partial();

export const PcSubscription = z.object({
  id: z.string().min(1),
  offerId: z.string().min(1),
  offerName: z.string().optional(),
  quantity: z.number().int().min(0),
  /** active, suspended, deleted, expired, pending, disabled... */
  status: z.string(),
  creationDate: z.string(),
  commitmentEndDate: z.string().optional(),
  autoRenewEnabled: z.boolean().optional(),
  termDuration: z.string().optional(),
  links: z.object({ self: Link.optional() }).partial().optional(),
});
export type PcSubscription = z.infer<typeof PcSubscription>;

/** A link to the next page of a collection, with the headers to send (the continuation token). */
export const PcNextLink = z.object({
  uri: z.string().min(1),
  method: z.string().optional(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});
export type PcNextLink = z.infer<typeof PcNextLink>;

export const PcSubscriptionList = z.object({
  totalCount: z.number().int().min(0),
  items: z.array(PcSubscription),
  links: z.object({ next: PcNextLink.optional() }).partial().optional(),
});

export const PcCustomer = z.object({
  id: z.string().min(1),
  companyProfile: z
    .object({ tenantId: z.string().optional(), companyName: z.string().optional() })
    .optional(),
  billingProfile: z
    .object({ defaultAddress: z.object({ country: z.string().optional() }).optional() })
    .optional(),
});
export type PcCustomer = z.infer<typeof PcCustomer>;

export const PcRelationshipRequest = z.object({ url: z.url() });
