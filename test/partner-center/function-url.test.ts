/**
 * The deployed door: a Lambda Function URL event through the adapter reaches the very route the
 * local web server serves, with the raw body bytes (base64 or not) that were signed.
 */
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signNotification } from "../../local/fakes/partner-center/sign.js";
import type { PartnerCenterNotification } from "../../shared/events/partner-center.js";
import { functionUrlHandler } from "../../shared/http/function-url-adapter.js";
import { readConnectorConfig } from "../../shared/partner-center/config.js";
import { webhookVerifier } from "../../shared/partner-center/connector.js";
import { partnerCenterWebhookRoute } from "../../shared/partner-center/webhook-route.js";
import { type PartnerCenterWorld, startPartnerCenterWorld } from "./support.js";

let world: PartnerCenterWorld;
const forwarded: PartnerCenterNotification[] = [];
let handler: ReturnType<typeof functionUrlHandler>;

beforeAll(async () => {
  world = await startPartnerCenterWorld();
  const route = partnerCenterWebhookRoute({
    // The receiver as the runtime wires it from the PARTNER_CENTER_* settings.
    verifier: webhookVerifier(readConnectorConfig(world.env).receiver, { allowHttpLoopback: true }),
    forward: async (n) => {
      forwarded.push(n);
    },
    log: () => {},
  });
  handler = functionUrlHandler(
    async () => [route],
    () => {},
  );
}, 120_000);
afterAll(async () => {
  await world?.stop();
});

function event(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  base64: boolean,
) {
  return {
    rawPath: path,
    rawQueryString: "",
    headers,
    body: base64 ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: base64,
    requestContext: { http: { method } },
  } as unknown as LambdaFunctionURLEvent;
}

const BODY = JSON.stringify({
  EventName: "test-created",
  ResourceUri:
    "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/1",
  ResourceName: "test",
  AuditUri: null,
  ResourceChangeUtcDate: "2026-01-01T00:00:00Z",
});

describe("the Function URL adapter", () => {
  it.each([true, false])("serves the webhook route (base64 body: %s)", async (base64) => {
    const signed = signNotification(BODY, world.signer, world.certificateUrl);
    const answer = await handler(
      event("POST", "/partner-center/webhook", signed.headers, signed.body, base64),
    );
    expect(answer).toMatchObject({ statusCode: 200 });
    expect(forwarded.at(-1)).toEqual(JSON.parse(BODY));
  });

  it("answers 401 unsigned, 413 oversize, 405 for GET and 404 elsewhere", async () => {
    const count = forwarded.length;
    const post = (path: string, body: Buffer, method = "POST") =>
      handler(event(method, path, {}, body, true));
    expect(await post("/partner-center/webhook", Buffer.from(BODY))).toMatchObject({
      statusCode: 401,
    });
    expect(await post("/partner-center/webhook", Buffer.alloc(65 * 1024))).toMatchObject({
      statusCode: 413,
    });
    expect(await post("/partner-center/webhook", Buffer.alloc(0), "GET")).toMatchObject({
      statusCode: 405,
    });
    expect(await post("/elsewhere", Buffer.alloc(0))).toMatchObject({ statusCode: 404 });
    expect(forwarded).toHaveLength(count);
  });
});
