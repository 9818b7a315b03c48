/**
 * The two write shapes every reminder step is made of: an update or a delete that happens only
 * if the item is still as the step saw it. A failed condition is an answer (false), not an error.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { isConditionalFailure } from "../store/errors.js";

/** A conditional update; false when its condition failed. */
export async function updateIf(
  db: DynamoDBDocumentClient,
  update: UpdateCommandInput,
): Promise<boolean> {
  try {
    await db.send(new UpdateCommand(update));
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** A conditional delete; false when its condition failed. */
export async function deleteIf(
  db: DynamoDBDocumentClient,
  input: DeleteCommandInput,
): Promise<boolean> {
  try {
    await db.send(new DeleteCommand(input));
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** The per-item reasons of a cancelled transaction, or null for any other error. */
export function cancellationCodes(error: unknown): string[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((r) => r.Code ?? "None");
}
