/**
 * The webhook receiver's checks, in the order of SPEC section 9: body size (413); signature,
 * certificate URL and algorithm headers, the signature's format (base64 of a plausible RSA
 * signature length) and the certificate URL's scheme and host (401, all before anything is
 * fetched); the certificate and its chain (401); the RSA-SHA256 signature over the raw body bytes
 * (401); and only then the body's shape (400). A refusal carries the reason for the log;
 * the body is never part of it.
 */
import { constants, verify, type X509Certificate } from "node:crypto";
import { PartnerCenterNotification } from "../events/partner-center.js";
import {
  type CertificateSource,
  type CertificateUrlPolicy,
  refuseCertificateUrl,
} from "./certificate-source.js";
import { CertificateError } from "./certificates.js";

export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
export const SIGNATURE_ALGORITHM = "rsa-sha256";

export type Verdict =
  | { ok: true; notification: PartnerCenterNotification }
  | { ok: false; status: 400 | 401 | 413; reason: string };

export type WebhookVerifierOptions = {
  urlPolicy: CertificateUrlPolicy;
  /** Verified signing certificates by URL (trust anchors and CA issuers are its settings). */
  certificates: CertificateSource;
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** RSA signatures are as long as the key's modulus: 2048 to 8192 bits. */
const MIN_SIGNATURE_BYTES = 256;
const MAX_SIGNATURE_BYTES = 1024;

/** Why a signature cannot be an RSA signature, or null; decided without fetching anything. */
export function refuseSignatureFormat(signature: string): string | null {
  if (!BASE64.test(signature) || signature.length % 4 !== 0) return "the signature is not base64";
  const bytes = (signature.length / 4) * 3 - (signature.match(/=+$/)?.[0].length ?? 0);
  if (bytes < MIN_SIGNATURE_BYTES || bytes > MAX_SIGNATURE_BYTES) {
    return `the signature is ${bytes} bytes, not an RSA signature of ${MIN_SIGNATURE_BYTES} to ${MAX_SIGNATURE_BYTES} bytes`;
  }
  return null;
}

/** The base64 signature from `Authorization: Signature <b64>` or `x-ms-signature`. */
function signatureOf(headers: Record<string, string>): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Signature\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  const alternative = headers["x-ms-signature"];
  if (alternative === undefined) return null;
  return /^(?:Signature\s+)?(\S+)\s*$/i.exec(alternative)?.[1] ?? null;
}

const refuse = (status: 400 | 401 | 413, reason: string): Verdict => ({
  ok: false,
  status,
  reason,
});

export class WebhookVerifier {
  constructor(private readonly options: WebhookVerifierOptions) {}

  async verify(headers: Record<string, string>, body: Buffer): Promise<Verdict> {
    if (body.length > MAX_WEBHOOK_BODY_BYTES) {
      return refuse(413, `body of ${body.length} bytes is over ${MAX_WEBHOOK_BODY_BYTES}`);
    }
    const signature = signatureOf(headers);
    if (signature === null) {
      return refuse(401, "no signature (Authorization: Signature <base64> or x-ms-signature)");
    }
    const certificateUrl = headers["x-ms-certificate-url"];
    if (certificateUrl === undefined || certificateUrl.trim() === "") {
      return refuse(401, "no x-ms-certificate-url header");
    }
    const algorithm = headers["x-ms-signature-algorithm"];
    if (algorithm === undefined) return refuse(401, "no x-ms-signature-algorithm header");
    if (algorithm.trim().toLowerCase() !== SIGNATURE_ALGORITHM) {
      return refuse(
        401,
        `signature algorithm ${JSON.stringify(algorithm.slice(0, 40))} is not ${SIGNATURE_ALGORITHM}`,
      );
    }
    const formatRefusal = refuseSignatureFormat(signature);
    if (formatRefusal !== null) return refuse(401, formatRefusal);
    const urlRefusal = refuseCertificateUrl(certificateUrl.trim(), this.options.urlPolicy);
    if (urlRefusal !== null) return refuse(401, urlRefusal);

    let signer: X509Certificate;
    try {
      signer = await this.options.certificates.signer(certificateUrl.trim());
    } catch (error) {
      if (error instanceof CertificateError) return refuse(401, error.message);
      throw error;
    }
    const valid = verify(
      "sha256",
      body,
      { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(signature, "base64"),
    );
    if (!valid) return refuse(401, "the signature does not verify over the body");

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(400, "the signed body is not JSON");
    }
    const notification = PartnerCenterNotification.safeParse(parsed);
    if (!notification.success) {
      const issue = notification.error.issues[0];
      return refuse(
        400,
        `the signed body is not a Partner Center notification (${issue?.path.join(".") || "body"}: ${issue?.message})`,
      );
    }
    return { ok: true, notification: notification.data };
  }
}
