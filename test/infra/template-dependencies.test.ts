/**
 * The template's DependsOn lists name only what a property does not already imply (cfn-lint
 * W3005), and each function still waits for its role's policy, which no property references.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../shared/functions.js";
import { type BuiltStack, buildStack, resourcesOfType } from "./support/stack.js";

let built: BuiltStack;

beforeAll(() => {
  built = buildStack({ bundle: false });
}, 120_000);

/** Logical ids a value references with Ref or Fn::GetAtt, at any depth. */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Ref" && typeof inner === "string") into.add(inner);
      else if (key === "Fn::GetAtt" && Array.isArray(inner) && typeof inner[0] === "string") {
        into.add(inner[0]);
      } else if (key === "Fn::GetAtt" && typeof inner === "string") {
        into.add(inner.split(".")[0] ?? inner);
      } else referencedIds(inner, into);
    }
  }
  return into;
}

describe("resource dependencies", () => {
  it("no DependsOn repeats a dependency a Ref or GetAtt already enforces", () => {
    const resources = built.template.toJSON().Resources as Record<
      string,
      { Properties?: unknown; DependsOn?: string | string[] }
    >;
    const redundant: string[] = [];
    for (const [id, resource] of Object.entries(resources)) {
      const dependsOn = [resource.DependsOn ?? []].flat();
      const referenced = referencedIds(resource.Properties);
      for (const target of dependsOn) {
        if (referenced.has(target)) redundant.push(`${id} -> ${target}`);
      }
    }
    expect(redundant).toEqual([]);
  });

  it("every function still depends on its role's policy", () => {
    const functions = resourcesOfType(built.template, "AWS::Lambda::Function");
    const policies = new Set(
      resourcesOfType(built.template, "AWS::IAM::Policy").map(([policyId]) => policyId),
    );
    expect(functions.length).toBe(Object.keys(FUNCTIONS).length);
    for (const [id, fn] of functions) {
      const dependsOn = [(fn.DependsOn as string | string[] | undefined) ?? []].flat();
      expect(
        dependsOn.filter((d) => policies.has(d)),
        id,
      ).toHaveLength(1);
    }
  });
});
