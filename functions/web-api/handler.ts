/**
 * Lambda entry point of the deployed web API (Function URL behind CloudFront): the JSON API
 * behind Entra ID sign-in and the calendar feed, over the same read side as the CLI.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { observed } from "../../shared/aws/call-observer.js";
import { readEnv } from "../../shared/config/env.js";
import { functionUrlHandler } from "../../shared/http/function-url-adapter.js";
import { documentClient } from "../../shared/store/clients.js";
import { secretFromString } from "../../shared/web/calendar-feed.js";
import { WebApiEnv, webApiRoutes } from "../../shared/web/web-api.js";

const env = readEnv(WebApiEnv);
const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME, logLevel: env.LOG_LEVEL });
const secrets = observed(new SecretsManagerClient({}));

/** Read once per container; a failed read is retried on the next request. */
let secret: Promise<Buffer> | undefined;
const calendarSecret = () => {
  secret ??= secrets
    .send(new GetSecretValueCommand({ SecretId: env.CALENDAR_SECRET_ARN }))
    .then((result) => secretFromString(result.SecretString ?? ""))
    .catch((error: unknown) => {
      secret = undefined;
      throw error;
    });
  return secret;
};

export const handler = functionUrlHandler(
  webApiRoutes({
    source: { db: documentClient(), tableName: env.TABLE_NAME },
    calendarSecret,
    thresholds: env.REMINDER_THRESHOLDS,
    auth: {
      tenantId: env.ENTRA_TENANT_ID,
      clientId: env.ENTRA_CLIENT_ID,
      requiredRole: env.ENTRA_REQUIRED_ROLE,
    },
    // The reason stays in the log (never the token); the caller gets a plain 401.
    log: (reason) => logger.info("request refused", { reason }),
  }),
  (message, error) => logger.error(message, { error }),
);
