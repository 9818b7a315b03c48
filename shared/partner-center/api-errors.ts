/**
 * How a Partner Center call failed, in the terms the runtime acts on: `retryable === false` is
 * dead-lettered at once with the message as the reason (401/403, garbage answers, refused
 * notifications); a retryable one (429, 5xx, timeouts) is retried with backoff first.
 */
export class PartnerCenterError extends Error {
  override readonly name = "PartnerCenterError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A notification the connector will never act on (bad ResourceUri, garbage from the API). */
export const refused = (message: string) => new PartnerCenterError(message, false);
