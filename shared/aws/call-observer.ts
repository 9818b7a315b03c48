/**
 * One small hook on every AWS SDK client the product builds: each request's service, operation
 * and input go to an observer when one is set (the permission rehearsal, bin/check-permissions.ts,
 * records them and checks each against the stack's own policies). No observer: nothing happens.
 */

export type AwsCall = {
  /** The SDK client, e.g. "DynamoDBClient", "EventBridgeClient". */
  client: string;
  /** The API operation, e.g. "PutItem", "PutEvents". */
  operation: string;
  /** The request as the service receives it (DynamoDB items marshalled). */
  input: Record<string, unknown>;
};

export type AwsCallObserver = (call: AwsCall) => void;

let observer: AwsCallObserver | undefined;

/** Sets (or, with undefined, clears) the process's observer; returns the previous one. */
export function observeAwsCalls(next: AwsCallObserver | undefined): AwsCallObserver | undefined {
  const previous = observer;
  observer = next;
  return previous;
}

type MiddlewareContext = { clientName?: string; commandName?: string };
type ObservableClient = {
  middlewareStack: {
    add: (
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: MiddlewareContext,
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: "serialize"; name: string; override?: boolean },
    ) => void;
  };
};

/** Adds the hook to a client (before it is serialized, after DynamoDB marshalling). */
export function observed<C>(client: C): C {
  (client as unknown as ObservableClient).middlewareStack.add(
    (next, context) => async (args) => {
      observer?.({
        client: context.clientName ?? "",
        operation: (context.commandName ?? "").replace(/Command$/, ""),
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: "serialize", name: "awsCallObserver", override: true },
  );
  return client;
}
