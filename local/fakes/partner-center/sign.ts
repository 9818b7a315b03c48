/**
 * Signs a notification the way Partner Center does (RSA PKCS#1 v1.5, SHA-256 over the exact body
 * bytes) and posts it to a webhook: used by the tests, the benchmark and the demo.
 */
import { createSign } from "node:crypto";

export type SignedRequest = { body: Buffer; headers: Record<string, string> };

export function signNotification(
  body: string | Buffer,
  signer: { keyPem: string },
  certificateUrl: string,
  options: { header?: "authorization" | "x-ms-signature" } = {},
): SignedRequest {
  const bytes = Buffer.from(body);
  const signature = createSign("sha256").update(bytes).sign(signer.keyPem, "base64");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-ms-certificate-url": certificateUrl,
    "x-ms-signature-algorithm": "rsa-sha256",
  };
  if (options.header === "x-ms-signature") headers["x-ms-signature"] = signature;
  else headers.authorization = `Signature ${signature}`;
  return { body: bytes, headers };
}

export async function postWebhook(
  url: string,
  request: SignedRequest,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, body: await response.text() };
}
