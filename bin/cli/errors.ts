/** An error the CLI reports as one line (no stack trace) before exiting non-zero. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") return e.code;
  if (Array.isArray(e.errors)) return e.errors.map(codeOf).find(Boolean);
  return codeOf(e.cause);
}

/** One line explaining an error, with a hint when the endpoint is simply not running. */
export function describeError(error: unknown, where: string): string {
  if (error instanceof CliError) return error.message;
  const code = codeOf(error);
  if (code === "ECONNREFUSED" || code === "ECONNRESET") {
    return `cannot reach ${where} (${code}); is \`npm start\` running, or did you mean --stack NAME --region R?`;
  }
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}
