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

/**
 * A read through an index the table does not have yet, or is still building: the window of a
 * deployed table's migration (README "Deploying"). DynamoDB answers a ValidationException —
 * "The table does not have the specified index" while the index is missing, "Cannot read from
 * backfilling global secondary index" while it is filled.
 */
export class IndexNotReadyError extends Error {
  override readonly name = "IndexNotReadyError";

  constructor(
    readonly indexName: string,
    options?: ErrorOptions,
  ) {
    super(
      `the table's index ${indexName} is not ready yet (the table is being migrated: README ` +
        `"Deploying"); this read works again once the deploy that builds it has finished`,
      options,
    );
  }
}

/** The IndexNotReadyError for a read of `indexName` that DynamoDB refused as such, else null. */
export function indexNotReady(error: unknown, indexName: string): IndexNotReadyError | null {
  const refused =
    error instanceof Error &&
    error.name === "ValidationException" &&
    /does not have the specified index|backfilling global secondary index/i.test(error.message);
  return refused ? new IndexNotReadyError(indexName, { cause: error }) : null;
}
