/** A conditional write that found the item not as expected. */
export function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * DynamoDB refuses an item over its 400 KB limit. Writing the same item again can never
 * succeed, so this is not a transient fault (a transaction reports it as a cancellation with a
 * `ValidationError` reason).
 */
export function isItemTooLarge(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sizeMessage = /item size/i;
  if (error.name === "ValidationException") return sizeMessage.test(error.message);
  const reasons = (error as { CancellationReasons?: { Code?: string; Message?: string }[] })
    .CancellationReasons;
  return (
    error.name === "TransactionCanceledException" &&
    (reasons ?? []).some((r) => r.Code === "ValidationError" && sizeMessage.test(r.Message ?? ""))
  );
}

/** A write the store can never make: the runtime dead-letters the event at once, with why. */
export class PermanentStoreError extends Error {
  override readonly name = "PermanentStoreError";
  readonly retryable = false;
}

/** The error to report for a failed write: a permanent one when retrying cannot help. */
export function classifyStoreError(error: unknown): unknown {
  if (!isItemTooLarge(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PermanentStoreError(
    `the transfer's record would exceed DynamoDB's 400 KB item limit (${message})`,
    {
      cause: error,
    },
  );
}
