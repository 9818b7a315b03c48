/**
 * Entra tenant and client ids are GUIDs: typed in any case at deploy time they name the same
 * tenant and app, and the tokens Entra issues (lower-case issuer, audience and tid) are accepted.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContextKey, readDeployConfig } from "../../infra/config.js";
import { entraIssuer, entraTokenVerifier } from "../../shared/web/entra-auth.js";
import { TEST_CONTEXT } from "../infra/support/stack.js";

const TENANT = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const CLIENT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const ROLE = "Transfers.Read";

let jwks: Server;
let sign: (claims: Record<string, unknown>) => Promise<string>;
let jwksUrl: string;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`;
  // What Entra ID issues: every GUID in lower case.
  sign = (claims) =>
    new SignJWT({ tid: TENANT, roles: [ROLE], ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" })
      .setIssuer((claims.iss as string | undefined) ?? entraIssuer(TENANT))
      .setAudience((claims.aud as string | undefined) ?? CLIENT)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(pair.privateKey);
});

afterAll(() => {
  jwks?.close();
});

describe("Entra ids in any case", () => {
  it.each([
    ["upper case", TENANT.toUpperCase(), CLIENT.toUpperCase()],
    ["mixed case", `${TENANT.slice(0, 9).toUpperCase()}${TENANT.slice(9)}`, CLIENT],
    ["lower case", TENANT, CLIENT],
  ])(
    "accepts Entra's lower-case token when the ids are configured in %s",
    async (_, tenantId, clientId) => {
      // Prepare
      const verify = entraTokenVerifier({ tenantId, clientId, requiredRole: ROLE, jwksUrl });
      // Act
      const plain = await verify(`Bearer ${await sign({})}`);
      const appIdUri = await verify(`Bearer ${await sign({ aud: `api://${CLIENT}` })}`);
      // Assess
      expect(plain).toMatchObject({ ok: true });
      expect(appIdUri).toMatchObject({ ok: true });
    },
  );

  it("still refuses another tenant or another app, whatever the case", async () => {
    const verify = entraTokenVerifier({
      tenantId: TENANT.toUpperCase(),
      clientId: CLIENT.toUpperCase(),
      requiredRole: ROLE,
      jwksUrl,
    });
    const other = "11111111-2222-4333-8444-555555555555";
    expect(await verify(`Bearer ${await sign({ aud: other.toUpperCase() })}`)).toMatchObject({
      ok: false,
    });
    expect(await verify(`Bearer ${await sign({ tid: other })}`)).toMatchObject({ ok: false });
    expect(await verify(`Bearer ${await sign({ iss: entraIssuer(other) })}`)).toMatchObject({
      ok: false,
    });
  });

  it("is normalised to lower case at synth, so the web app's config.json matches the tokens", () => {
    const context: Record<string, unknown> = {
      ...TEST_CONTEXT,
      entraTenantId: TENANT.toUpperCase(),
      entraClientId: ` ${CLIENT.toUpperCase()}`,
    };
    const config = readDeployConfig((key: ContextKey) => context[key], {});
    expect(config.entraTenantId).toBe(TENANT);
    expect(config.entraClientId).toBe(CLIENT);
  });
});
