/**
 * The event JSON Schemas published to the EventBridge Schema Registry. The registry accepts
 * OpenAPI 3 or JSON Schema draft 4, so the documents are generated from the zod detail schemas
 * with zod's draft-04 target and wrapped in the EventBridge envelope (source, detail-type,
 * detail), which is what the registry's code bindings expect.
 */
import * as z from "zod";
import { type DetailType, EVENT_CATALOGUE } from "../shared/events/registry.js";

export const DRAFT_04 = "http://json-schema.org/draft-04/schema#";

export type RegistrySchema = {
  detailType: DetailType;
  source: string;
  /** Registry schema name, in EventBridge's discovered-schema style: `source@DetailType`. */
  schemaName: string;
  document: Record<string, unknown>;
};

export function registrySchemas(): RegistrySchema[] {
  return (Object.keys(EVENT_CATALOGUE) as DetailType[]).map((detailType) => {
    const entry = EVENT_CATALOGUE[detailType];
    const { $schema: _ignored, ...detail } = z.toJSONSchema(entry.detail, {
      target: "draft-04",
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    return {
      detailType,
      source: entry.source,
      schemaName: `${entry.source}@${detailType.replaceAll(" ", "")}`,
      document: {
        $schema: DRAFT_04,
        title: detailType,
        description: `EventBridge event "${detailType}" from ${entry.source}`,
        type: "object",
        required: ["source", "detail-type", "detail"],
        properties: {
          version: { type: "string" },
          id: { type: "string" },
          "detail-type": { type: "string", enum: [detailType] },
          source: { type: "string", enum: [entry.source] },
          account: { type: "string" },
          time: { type: "string", format: "date-time" },
          region: { type: "string" },
          resources: { type: "array", items: { type: "string" } },
          detail: { ...detail, description: `detail of "${detailType}"` },
        },
      },
    };
  });
}
