/** The Schema Registry documents: draft 4, one per catalogue event, in the EventBridge envelope. */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { DRAFT_04, registrySchemas } from "../../infra/event-schemas.js";
import { EVENT_CATALOGUE } from "../../shared/events/registry.js";

/** Keywords that appear after draft 4 and that the registry's draft-4 parser does not know. */
const LATER_KEYWORDS = [
  "$defs",
  "const",
  "prefixItems",
  "unevaluatedProperties",
  "dependentRequired",
];

function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysDeep(v)]);
}

describe("registry schemas", () => {
  const schemas = registrySchemas();

  it("covers every catalogue event exactly once, named source@DetailType", () => {
    expect(schemas.map((s) => s.detailType).sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
    for (const schema of schemas) {
      expect(schema.schemaName).toMatch(/^[a-z.-]+@[A-Za-z]+$/);
      expect(schema.schemaName.startsWith(`${EVENT_CATALOGUE[schema.detailType].source}@`)).toBe(
        true,
      );
    }
  });

  it("are draft-4 documents without later keywords", () => {
    for (const { detailType, document } of schemas) {
      expect(document.$schema, detailType).toBe(DRAFT_04);
      const keys = keysDeep(document);
      for (const keyword of LATER_KEYWORDS)
        expect(keys, `${detailType}: ${keyword}`).not.toContain(keyword);
      // Draft 4 has only the boolean form of exclusiveMinimum/exclusiveMaximum.
      const json = JSON.stringify(document);
      expect(json, detailType).not.toMatch(/"exclusive(Minimum|Maximum)":\s*-?\d/);
    }
  });

  it("pin the envelope to the event's source and detail-type and require the detail's fields", () => {
    for (const { detailType, source, document } of schemas) {
      const properties = document.properties as Record<
        string,
        { enum?: string[]; required?: string[] }
      >;
      expect(properties["detail-type"]?.enum).toEqual([detailType]);
      expect(properties.source?.enum).toEqual([source]);
      const draft2020 = z.toJSONSchema(EVENT_CATALOGUE[detailType].detail, {
        io: "input",
        unrepresentable: "any",
      }) as { required?: string[] };
      expect(properties.detail?.required, detailType).toEqual(draft2020.required);
    }
  });
});
