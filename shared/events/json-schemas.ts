import * as z from "zod";
import { type DetailType, EVENT_CATALOGUE } from "./registry.js";

/** File name of the published JSON Schema for one detail-type, e.g. `invitation-sent.json`. */
export function schemaFileName(detailType: DetailType): string {
  return `${detailType.toLowerCase().replaceAll(" ", "-")}.json`;
}

/** JSON Schema (draft 2020-12) of each detail-type's `detail`, generated from the zod schemas. */
export function detailJsonSchemas(): Record<DetailType, object> {
  return Object.fromEntries(
    Object.entries(EVENT_CATALOGUE).map(([detailType, entry]) => [
      detailType,
      {
        ...z.toJSONSchema(entry.detail, { io: "input", unrepresentable: "any" }),
        title: detailType,
        description: `detail of the "${detailType}" event (source ${entry.source})`,
      },
    ]),
  ) as Record<DetailType, object>;
}
