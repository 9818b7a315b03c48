/**
 * The deployed web API as Lambda runs it (Function URL events through the adapter), over a real
 * DynamoDB Local table: only an access token of the configured tenant and app, unexpired, signed
 * by a key of the tenant's JWKS (served here on 127.0.0.1 with keys the test makes) and carrying
 * the app role gets data; everything else is 401 with no data. The calendar feed needs no token.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionUrlHandler } from "../../shared/http/function-url-adapter.js";
import { calendarToken } from "../../shared/web/calendar-feed.js";
import { entraIssuer } from "../../shared/web/entra-auth.js";
import { webApiRoutes } from "../../shared/web/web-api.js";
import { freshTable } from "../support/dynamo.js";
import { riskyTransfer, seed } from "./fixtures.js";

const TENANT = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const CLIENT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const ROLE = "Transfers.Read";
const PARTNER = "partner-deployed";
const secret = randomBytes(32);

let jwks: Server;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let signingKey: PrivateKey;
let strangerKey: PrivateKey;
let handler: ReturnType<typeof functionUrlHandler>;
const refusals: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  const stranger = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  strangerKey = stranger.privateKey;
  const publicJwk: JWK = {
    ...(await exportJWK(pair.publicKey)),
    kid: "key-1",
    alg: "RS256",
    use: "sig",
  };
  jwks = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const source = await freshTable("webapi");
  await seed(source, [
    riskyTransfer({
      partnerId: PARTNER,
      customerTenantId: "c-1",
      customerName: "Fabrikam Ltd",
      now: new Date().toISOString(),
      endsInDays: 10,
    }),
  ]);
  handler = functionUrlHandler(
    webApiRoutes({
      source,
      calendarSecret: async () => secret,
      thresholds: [60, 30, 14, 7, 1],
      auth: {
        tenantId: TENANT,
        clientId: CLIENT,
        requiredRole: ROLE,
        jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`,
      },
      log: (reason) => refusals.push(reason),
    }),
  );
});

afterAll(() => {
  jwks?.close();
});

type Claims = Record<string, unknown>;

async function token(
  claims: Claims = {},
  options: { key?: PrivateKey; kid?: string; expiresIn?: string | number; issuedAt?: number } = {},
) {
  const jwt = new SignJWT({ tid: TENANT, roles: [ROLE], oid: randomUUID(), ...claims })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "key-1", typ: "JWT" })
    .setIssuer((claims.iss as string | undefined) ?? entraIssuer(TENANT))
    .setAudience((claims.aud as string | undefined) ?? CLIENT)
    .setIssuedAt(options.issuedAt ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(options.expiresIn ?? "1h");
  return jwt.sign(options.key ?? signingKey);
}

function event(path: string, headers: Record<string, string> = {}): LambdaFunctionURLEvent {
  const [rawPath = "", rawQueryString = ""] = path.split("?");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "url",
      domainName: "example.lambda-url.eu-west-1.on.aws",
      domainPrefix: "example",
      http: {
        method: "GET",
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "test",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

async function call(path: string, bearer?: string) {
  const result = await handler(
    event(path, bearer === undefined ? {} : { "x-forwarded-authorization": `Bearer ${bearer}` }),
  );
  if (typeof result === "string") throw new Error("unexpected string result");
  return {
    status: result.statusCode,
    body: JSON.parse(String(result.body)) as unknown,
    headers: result.headers,
  };
}

describe("the deployed API with a valid token", () => {
  it("answers list, show and due like the CLI", async () => {
    const valid = await token();
    const list = await call("/api/transfers", valid);
    expect(list.status).toBe(200);
    expect((list.body as { customerName: string }[]).map((t) => t.customerName)).toEqual([
      "Fabrikam Ltd",
    ]);
    const show = await call(`/api/transfers/${PARTNER}/c-1`, valid);
    expect((show.body as { warnings: unknown[] }).warnings).toHaveLength(2);
    const due = await call("/api/due?within=30", valid);
    expect((due.body as unknown[]).length).toBe(1);
    expect((await call(`/api/transfers/${PARTNER}/nobody`, valid)).status).toBe(404);
    expect((await call("/api/due?within=soon", valid)).status).toBe(400);
  });

  it("accepts the app ID URI as audience", async () => {
    expect((await call("/api/transfers", await token({ aud: `api://${CLIENT}` }))).status).toBe(
      200,
    );
  });
});

describe("anything else is 401 with no data", () => {
  const cases: [string, () => Promise<string | undefined>][] = [
    ["no token", async () => undefined],
    ["a malformed token", async () => "not-a-jwt"],
    ["a wrong issuer", () => token({ iss: entraIssuer("11111111-2222-4333-8444-555555555555") })],
    [
      "the v1 issuer of the same tenant",
      () => token({ iss: `https://sts.windows.net/${TENANT}/` }),
    ],
    ["a wrong audience", () => token({ aud: "99999999-8888-4777-8666-555555555555" })],
    [
      "an expired token",
      () =>
        token(
          {},
          {
            issuedAt: Math.floor(Date.now() / 1000) - 7200,
            expiresIn: Math.floor(Date.now() / 1000) - 3600,
          },
        ),
    ],
    ["a missing role", () => token({ roles: [] })],
    ["another role only", () => token({ roles: ["Transfers.Write"] })],
    ["no roles claim", () => token({ roles: undefined })],
    ["another tenant's tid", () => token({ tid: "11111111-2222-4333-8444-555555555555" })],
    ["a key not in the tenant's JWKS", () => token({}, { key: strangerKey })],
    ["an unknown key id", () => token({}, { kid: "key-2" })],
    [
      "an unsigned token (alg none)",
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString(
          "base64url",
        );
        const payload = Buffer.from(
          JSON.stringify({
            iss: entraIssuer(TENANT),
            aud: CLIENT,
            roles: [ROLE],
            tid: TENANT,
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 3600,
          }),
        ).toString("base64url");
        return `${header}.${payload}.`;
      },
    ],
  ];

  it.each(cases)("%s", async (_name, make) => {
    for (const path of ["/api/transfers", `/api/transfers/${PARTNER}/c-1`, "/api/due"]) {
      const answer = await call(path, await make());
      expect(answer.status).toBe(401);
      expect(Object.keys(answer.body as object)).toEqual(["error"]);
      expect(JSON.stringify(answer.body)).not.toContain("Fabrikam");
      expect(answer.headers?.["www-authenticate"]).toBe('Bearer error="invalid_token"');
    }
  });

  it("reads the token only from the header CloudFront forwards it in", async () => {
    const result = await handler(
      event("/api/transfers", { authorization: `Bearer ${await token()}` }),
    );
    expect(typeof result !== "string" && result.statusCode).toBe(401);
  });

  it("logs why, for the operator", async () => {
    // Its own refusals, so it passes alone and in any order.
    refusals.length = 0;
    await call("/api/transfers", await token({ roles: [] }));
    const expired = await token(
      {},
      {
        issuedAt: Math.floor(Date.now() / 1000) - 7200,
        expiresIn: Math.floor(Date.now() / 1000) - 3600,
      },
    );
    await call("/api/transfers", expired);
    expect(refusals.some((r) => r.includes("missing app role Transfers.Read"))).toBe(true);
    expect(refusals.some((r) => /exp/.test(r))).toBe(true);
  });
});

describe("the calendar feed", () => {
  it("needs its token, not sign-in", async () => {
    const ok = await handler(
      event(`/calendar/${PARTNER}.ics?token=${calendarToken(secret, PARTNER)}`),
    );
    expect(typeof ok !== "string" && ok.statusCode).toBe(200);
    expect(typeof ok !== "string" && String(ok.body)).toContain(
      "Fabrikam Ltd: Microsoft 365 Business Standard ends",
    );
    const wrong = await handler(
      event(`/calendar/${PARTNER}.ics?token=${calendarToken(randomBytes(32), PARTNER)}`),
    );
    expect(typeof wrong !== "string" && wrong.statusCode).toBe(404);
  });
});

describe("the Lambda adapter", () => {
  it("answers unknown paths, bad paths and wrong methods like the local server", async () => {
    expect(typeof handler).toBe("function");
    const notFound = await handler(event("/nothing"));
    const badPath = await handler(event("/api/transfers/%E0%A4%A/x"));
    const post = await handler({
      ...event("/api/transfers"),
      requestContext: {
        ...event("/").requestContext,
        http: { ...event("/").requestContext.http, method: "POST" },
      },
    });
    expect(
      [notFound, badPath, post].map((r) => (typeof r === "string" ? 0 : r.statusCode)),
    ).toEqual([404, 400, 405]);
  });
});
