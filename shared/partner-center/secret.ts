/**
 * The client secret: `PARTNER_CENTER_CLIENT_SECRET` when set (local), otherwise read once from
 * Secrets Manager by `PARTNER_CENTER_CLIENT_SECRET_ARN` (deployed), so it is never in the
 * function's configuration.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { observed } from "../aws/call-observer.js";

export async function environmentWithSecret(
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeJS.ProcessEnv> {
  if (env.PARTNER_CENTER_CLIENT_SECRET || !env.PARTNER_CENTER_CLIENT_SECRET_ARN) return env;
  const client = observed(new SecretsManagerClient({}));
  try {
    const answer = await client.send(
      new GetSecretValueCommand({ SecretId: env.PARTNER_CENTER_CLIENT_SECRET_ARN }),
    );
    const secret = answer.SecretString?.trim();
    if (!secret)
      throw new Error("the Partner Center client secret is empty: put it in Secrets Manager");
    return { ...env, PARTNER_CENTER_CLIENT_SECRET: secret };
  } finally {
    client.destroy();
  }
}
