/**
 * Sign-in for the deployed API: only an access token issued by the configured Microsoft Entra ID
 * tenant (issuer), for the configured app (audience), unexpired, signed by a key of the tenant's
 * JWKS, and carrying the configured app role (`roles` claim) is accepted; anything else is 401
 * with no data. Verification is `jose` against the tenant's published keys (cached, refreshed on
 * an unknown key id).
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { jsonError, type WebRoute } from "../http/routes.js";

export type EntraAuthConfig = {
  tenantId: string;
  clientId: string;
  /** The app role a caller must hold, e.g. Transfers.Read. */
  requiredRole: string;
  /** Defaults to the tenant's v2.0 keys; tests point it at a local JWKS. */
  jwksUrl?: string;
  /** Defaults to the tenant's v2.0 issuer. */
  issuer?: string;
};

export const entraIssuer = (tenantId: string) =>
  `https://login.microsoftonline.com/${tenantId}/v2.0`;
export const entraJwksUrl = (tenantId: string) =>
  `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;

export type AuthResult = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

/** GUIDs (in the issuer URL, the audience, `tid`) name the same tenant or app in any case. */
const sameIgnoringCase = (a: unknown, b: string) =>
  typeof a === "string" && a.toLowerCase() === b.toLowerCase();

export function entraTokenVerifier(config: EntraAuthConfig) {
  const tenantId = config.tenantId.toLowerCase();
  const clientId = config.clientId.toLowerCase();
  const keys = createRemoteJWKSet(new URL(config.jwksUrl ?? entraJwksUrl(tenantId)), {
    timeoutDuration: 5000,
  });
  const issuer = config.issuer ?? entraIssuer(tenantId);
  // v2.0 access tokens carry the app's client id; an app ID URI audience names the same app.
  const audiences = [clientId, `api://${clientId}`];
  return async (authorization: string | undefined): Promise<AuthResult> => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(
      authorization?.trim() ?? "",
    );
    if (!match?.[1]) return { ok: false, reason: "no bearer token" };
    try {
      // Issuer and audience are compared here, case-insensitively (jose compares them exactly).
      const { payload } = await jwtVerify(match[1], keys, {
        algorithms: ["RS256"],
        requiredClaims: ["exp", "iat", "iss", "aud"],
        clockTolerance: 60,
      });
      if (!sameIgnoringCase(payload.iss, issuer)) return { ok: false, reason: "unexpected issuer" };
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.some((a) => audiences.some((expected) => sameIgnoringCase(a, expected)))) {
        return { ok: false, reason: "unexpected audience" };
      }
      if (payload.tid !== undefined && !sameIgnoringCase(payload.tid, tenantId)) {
        return { ok: false, reason: "token of another tenant" };
      }
      const roles = Array.isArray(payload.roles) ? payload.roles : [];
      if (!roles.includes(config.requiredRole)) {
        return { ok: false, reason: `missing app role ${config.requiredRole}` };
      }
      return { ok: true, claims: payload };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  };
}

export type TokenVerifier = ReturnType<typeof entraTokenVerifier>;

/**
 * Puts every route behind the verifier. `header` is where the bearer token arrives: behind
 * CloudFront with origin access control the viewer's `authorization` header is moved to
 * `x-forwarded-authorization` (CloudFront signs the origin request in `authorization`).
 */
export function requireSignIn(
  routes: readonly WebRoute[],
  verify: TokenVerifier,
  options: { header: string; role: string; log?: (reason: string) => void },
): WebRoute[] {
  return routes.map((route) => ({
    ...route,
    handle: async (request) => {
      const auth = await verify(request.headers[options.header]);
      if (!auth.ok) {
        options.log?.(auth.reason);
        const answer = jsonError(
          401,
          `sign in with Microsoft Entra ID; the app role ${options.role} is required`,
        );
        return {
          ...answer,
          headers: {
            ...answer.headers,
            "www-authenticate": 'Bearer error="invalid_token"',
            "cache-control": "no-store",
          },
        };
      }
      return route.handle(request);
    },
  }));
}
