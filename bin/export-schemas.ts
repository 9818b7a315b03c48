/** Writes the JSON Schemas of every detail-type to schemas/ (checked in; a test fails when stale). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detailJsonSchemas, schemaFileName } from "../shared/events/json-schemas.js";
import type { DetailType } from "../shared/events/registry.js";

const dir = join(import.meta.dirname, "..", "schemas");
mkdirSync(dir, { recursive: true });
for (const [detailType, schema] of Object.entries(detailJsonSchemas())) {
  const file = join(dir, schemaFileName(detailType as DetailType));
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
