import * as z from "zod";
import { IsoDateTime } from "./primitives.js";

/**
 * The body Partner Center POSTs to a registered webhook (its "resource change event"), handed on
 * unchanged as the detail of `Partner Center Notification` once its signature has been checked.
 * Field names are Partner Center's own (PascalCase). `AuditUri` is null or absent for events
 * without an audit record; `ResourceName` is e.g. "test", "customer", "subscription".
 */
export const PartnerCenterNotification = z.object({
  EventName: z.string().trim().min(1).max(128),
  ResourceUri: z.string().max(2048),
  ResourceName: z.string().max(256).nullish(),
  AuditUri: z.string().max(2048).nullish(),
  ResourceChangeUtcDate: IsoDateTime,
});
export type PartnerCenterNotification = z.infer<typeof PartnerCenterNotification>;
