/**
 * One bounded reader for every response from outside (Partner Center, token endpoints, Graph,
 * certificate hosts): a body larger than the bound is an error for that request, never a process
 * that grows without limit. A declared Content-Length over the bound is refused before reading;
 * an undeclared or lying one is cut off as soon as the bytes read pass the bound.
 */

/** SPEC section 9: one resource (a subscription, a customer, a token answer). */
export const MAX_RESOURCE_BYTES = 1024 * 1024;
/** SPEC section 9: one page of a list. */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** A response body over its bound. Retryable: a misbehaving server may answer well next time. */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
  readonly retryable = true;
  constructor(
    readonly what: string,
    readonly maxBytes: number,
  ) {
    super(`${what} is larger than ${maxBytes} bytes`);
  }
}

/** Reads a fetch Response's body up to `maxBytes`; throws ResponseTooLargeError past it. */
export async function readBoundedBytes(
  response: Response,
  maxBytes: number,
  what = "the response",
): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new ResponseTooLargeError(what, maxBytes);
  }
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ResponseTooLargeError(what, maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The body as UTF-8 text, bounded like readBoundedBytes. */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  what = "the response",
): Promise<string> {
  return (await readBoundedBytes(response, maxBytes, what)).toString("utf8");
}
