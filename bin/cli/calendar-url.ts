/**
 * `calendar-url --partner P`: the partner's calendar feed URL with its token. Locally the
 * running web server makes it (the secret stays in its data folder or memory); against a stack,
 * the URL is the stack's web app URL and the token is made from the secret in Secrets Manager.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { localSettings, loopback } from "../../local/config.js";
import { observed } from "../../shared/aws/call-observer.js";
import { WEB_OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { calendarUrl, secretFromString } from "../../shared/web/calendar-feed.js";
import { CliError } from "./errors.js";

export async function calendarUrlFor(
  partnerId: string,
  where: { stack?: string | undefined; region?: string | undefined },
): Promise<{ url: string }> {
  if (where.stack && where.region) return stackCalendarUrl(partnerId, where.stack, where.region);
  const web = loopback(localSettings().webPort);
  const response = await fetch(
    `${web}/_local/calendar-url?partner=${encodeURIComponent(partnerId)}`,
  );
  const body = (await response.json()) as { url?: string; error?: string };
  if (!response.ok || !body.url) {
    throw new CliError(`the web app at ${web} answered ${response.status}: ${body.error ?? ""}`);
  }
  return { url: body.url };
}

async function stackCalendarUrl(partnerId: string, stack: string, region: string) {
  const cfn = observed(new CloudFormationClient({ region }));
  const secrets = observed(new SecretsManagerClient({ region }));
  try {
    const result = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = new Map(
      (result.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
    );
    const webAppUrl = outputs.get(WEB_OUTPUT_KEYS.webAppUrl);
    const secretArn = outputs.get(WEB_OUTPUT_KEYS.calendarSecretArn);
    if (!webAppUrl || !secretArn) {
      throw new CliError(
        `stack ${stack} has no web app outputs (${Object.values(WEB_OUTPUT_KEYS).join(", ")})`,
      );
    }
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!secret.SecretString) throw new CliError(`the calendar secret of ${stack} is empty`);
    return { url: calendarUrl(webAppUrl, secretFromString(secret.SecretString), partnerId) };
  } finally {
    cfn.destroy();
    secrets.destroy();
  }
}
