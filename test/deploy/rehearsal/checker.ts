/**
 * Evaluates one recorded request against the template's policies with a kept IAM simulator
 * (@cloud-copilot/iam-simulate: identity and resource policies, explicit denies, every condition
 * operator, same-account rules), not a hand-written evaluator.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { IamRequest } from "./requests.js";
import { FAKE_ACCOUNT, type PolicyDocument } from "./template.js";

export type Principal = {
  /** A function id (e.g. "notifier") or "operator". */
  name: string;
  arn: string;
  identityPolicies: { name: string; policy: PolicyDocument }[];
};

export type Decision = {
  decision: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error";
  detail?: string;
};

export async function evaluate(
  principal: Principal,
  request: IamRequest,
  resourcePolicy: PolicyDocument | undefined,
): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: principal.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: FAKE_ACCOUNT },
        contextVariables: {
          "aws:SecureTransport": "true",
          "aws:PrincipalArn": principal.arn,
          "aws:PrincipalAccount": FAKE_ACCOUNT,
          ...request.context,
        },
      },
    },
    {},
  );
  if (response.resultType === "error") {
    return { decision: "Error", detail: JSON.stringify(response.errors) };
  }
  return { decision: response.overallResult as Decision["decision"] };
}
