/**
 * `calendar-url --partner P`: the partner's calendar feed URL with its token. Locally the
 * running web server makes it (the secret stays in its data folder or memory); against a stack,
 * the URL is the stack's web app URL and the token is made from the secret in Secrets Manager.
 * A partner id that no event could carry gets no URL.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { localSettings, loopback } from "../../local/config.js";
import { observed } from "../../shared/aws/call-observer.js";
import { parsePartner, QueryInputError } from "../../shared/queries/index.js";
import { WEB_OUTPUT_KEYS } from "../../shared/stack-outputs.js";
import { calendarUrl, secretFromString } from "../../shared/web/calendar-feed.js";
import { CliError } from "./errors.js";

export async function calendarUrlFor(
  partnerId: string,
  where: { stack?: string | undefined; region?: string | undefined },
): Promise<{ url: string }> {
  checkPartner(partnerId);
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

/**
 * A partner id that the events' id rule refuses (CR/LF, spaces, over 64 characters...) names no
 * transfer and gets no URL: a usage error, like `--partner` of `list`.
 */
function checkPartner(partnerId: string): void {
  try {
    if (parsePartner(partnerId) !== partnerId) {
      throw new CliError("--partner must not start or end with spaces", 2);
    }
  } catch (error) {
    if (error instanceof QueryInputError) {
      throw new CliError(`--${error.parameter} ${error.problem}`, 2);
    }
    throw error;
  }
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
