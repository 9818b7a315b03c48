import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detailJsonSchemas, schemaFileName } from "../../../shared/events/json-schemas.js";
import { DETAIL_TYPES, type DetailType } from "../../../shared/events/registry.js";

const SCHEMA_DIR = join(import.meta.dirname, "..", "..", "..", "schemas");
const STALE = "schemas/ is stale: run `npm run schemas` and commit the result";

describe("checked-in JSON Schemas (schemas/*.json)", () => {
  const generated = detailJsonSchemas();
  const detailTypes = Object.values(DETAIL_TYPES);

  it("has exactly one file per detail-type", () => {
    // Prepare
    const expected = detailTypes.map(schemaFileName).sort();
    // Act
    const present = readdirSync(SCHEMA_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort();
    // Assess
    expect(present, STALE).toEqual(expected);
  });

  it.each(detailTypes)("%s equals what detailJsonSchemas() generates now", (detailType) => {
    // Prepare
    const file = join(SCHEMA_DIR, schemaFileName(detailType as DetailType));
    // Act
    const onDisk: unknown = JSON.parse(readFileSync(file, "utf8"));
    // Assess
    expect(onDisk, `${STALE} (${schemaFileName(detailType)} differs)`).toEqual(
      JSON.parse(JSON.stringify(generated[detailType])),
    );
  });

  it("names files after the detail-type", () => {
    expect(schemaFileName("Original Subscription Updated")).toBe(
      "original-subscription-updated.json",
    );
  });

  it("publishes the contract fields: required keys, the 500 cap, the reason enum", () => {
    const sent = generated["Invitation Sent"] as {
      required: string[];
      properties: { subscriptions: { maxItems: number; items: { required: string[] } } };
    };
    expect([...sent.required].sort()).toEqual(
      [
        "partnerId",
        "partnerCountry",
        "partnerEmail",
        "customerTenantId",
        "customerName",
        "customerCountry",
        "sentAt",
        "subscriptions",
      ].sort(),
    );
    expect(sent.properties.subscriptions.maxItems).toBe(500);
    // offerDiscontinued and termDuration are optional on input
    expect([...sent.properties.subscriptions.items.required].sort()).toEqual(
      [
        "subscriptionId",
        "offerId",
        "offerName",
        "quantity",
        "commitmentEndDate",
        "autoRenewEnabled",
      ].sort(),
    );
    const ended = generated["Original Subscription Ended"] as {
      properties: { reason: { enum: string[] } };
    };
    expect(ended.properties.reason.enum).toEqual(["expired", "cancelled"]);
    const provisioned = generated["Subscription Provisioned"] as { required: string[] };
    expect(provisioned.required).not.toContain("offerName");
    expect(provisioned.required).not.toContain("replacesSubscriptionId");
  });
});
