/**
 * The webhook receiver's checks, in the order of SPEC section 9: body size (413); signature,
 * certificate URL and algorithm headers, and the certificate URL's scheme and host (401, before
 * anything is fetched); the certificate itself (401); the RSA-SHA256 signature over the raw body
 * bytes (401); and only then the body's shape (400). A refusal carries the reason for the log;
 * the body is never part of it.
 */
import { constants, verify, type X509Certificate } from "node:crypto";
import { PartnerCenterNotification } from "../events/partner-center.js";
import {
  type CertificateSource,
  type CertificateUrlPolicy,
  refuseCertificateUrl,
} from "./certificate-source.js";
import { CertificateError, checkSigningCertificate } from "./certificates.js";

export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
export const SIGNATURE_ALGORITHM = "rsa-sha256";

export type Verdict =
  | { ok: true; notification: PartnerCenterNotification }
  | { ok: false; status: 400 | 401 | 413; reason: string };

export type WebhookVerifierOptions = {
  urlPolicy: CertificateUrlPolicy;
  certificates: CertificateSource;
  /** Trust anchors: the runtime's root store or the configured CA file. */
  anchors: readonly X509Certificate[];
  now?: () => Date;
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

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
    const urlRefusal = refuseCertificateUrl(certificateUrl.trim(), this.options.urlPolicy);
    if (urlRefusal !== null) return refuse(401, urlRefusal);

    let signer: X509Certificate;
    try {
      const fetched = await this.options.certificates.get(certificateUrl.trim());
      signer = checkSigningCertificate(
        fetched.chain,
        this.options.anchors,
        this.options.now?.() ?? new Date(),
      );
    } catch (error) {
      if (error instanceof CertificateError) return refuse(401, error.message);
      throw error;
    }

    if (!BASE64.test(signature) || signature.length % 4 !== 0) {
      return refuse(401, "the signature is not base64");
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
