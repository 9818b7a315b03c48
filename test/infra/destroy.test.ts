/**
 * `cdk destroy` removes everything but the table (SPEC section 7): every resource CloudFormation
 * would keep on delete is the table, and every bucket is emptied on delete (a bucket with
 * objects cannot be deleted), the site's deployment included.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type BuiltStack, buildStack, resourcesOfType } from "./support/stack.js";

const ENTRA = {
  entraTenantId: "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  entraClientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
};

let built: BuiltStack;

beforeAll(() => {
  built = buildStack({ context: ENTRA, bundle: false });
}, 180_000);

type Resource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> };
const resources = () => Object.entries(built.template.toJSON().Resources) as [string, Resource][];

describe("cdk destroy", () => {
  it("keeps only the transfer table", () => {
    const kept = resources()
      .filter(
        ([, r]) => r.DeletionPolicy === "Retain" || r.DeletionPolicy === "RetainExceptOnCreate",
      )
      .map(([, r]) => r.Type);
    expect(kept).toEqual(["AWS::DynamoDB::Table"]);
  });

  it("empties every bucket on delete", () => {
    const buckets = resourcesOfType(built.template, "AWS::S3::Bucket").map(([id]) => id);
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    const emptied = resourcesOfType(built.template, "Custom::S3AutoDeleteObjects").map(
      ([, r]) => (r.Properties?.BucketName as { Ref?: string } | undefined)?.Ref,
    );
    expect(emptied.sort()).toEqual(buckets.sort());
  });

  it("does not retain the site's files when the deployment is deleted", () => {
    const deployments = resourcesOfType(built.template, "Custom::CDKBucketDeployment");
    expect(deployments).toHaveLength(1);
    for (const [, deployment] of deployments) {
      expect(deployment.Properties?.RetainOnDelete).toBe(false);
    }
  });
});
