/**
 * The AWS APIs the rehearsal has no local stand-in for, answering in their documented wire
 * shapes so the real SDK clients parse them: EventBridge PutEvents (awsJson1_1), SQS
 * Receive/Delete/ChangeMessageVisibility (awsJson1_0, with the body's MD5 the client checks),
 * Secrets Manager GetSecretValue, CloudFormation DescribeStacks (query protocol, XML) and Lambda
 * Invoke (REST). Calls are recorded by the SDK hook in the caller, not here.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeAwsOptions = {
  outputs: Record<string, string>;
  secrets: Record<string, string>;
  /** Messages waiting per queue URL (each is delivered once, then deleted or released). */
  queues: Record<string, string[]>;
  /** Runs a function for Lambda Invoke; returns its payload or throws its error. */
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Every PutEvents entry accepted. */
  putEvents: Record<string, unknown>[];
};

const body = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export async function startFakeAws(
  options: FakeAwsOptions,
): Promise<{ url: string; stop: () => Promise<void> }> {
  type Message = { id: string; body: string; handle: string | null };
  const messages = new Map<string, Message[]>();
  /** A queue's messages: those given in the options, taken over on first use. */
  const queueOf = (url: string): Message[] => {
    let queue = messages.get(url);
    if (!queue) {
      queue = (options.queues[url] ?? []).map((body) => ({ id: randomUUID(), body, handle: null }));
      messages.set(url, queue);
    }
    return queue;
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await body(request);
      const target = String(request.headers["x-amz-target"] ?? "");
      const json = (status: number, value: unknown, type = "application/x-amz-json-1.1") => {
        response.writeHead(status, { "content-type": type });
        response.end(JSON.stringify(value));
      };
      if (target === "AWSEvents.PutEvents") {
        const entries = (JSON.parse(text) as { Entries: Record<string, unknown>[] }).Entries;
        options.putEvents.push(...entries);
        return json(200, {
          FailedEntryCount: 0,
          Entries: entries.map(() => ({ EventId: randomUUID() })),
        });
      }
      if (target.startsWith("AmazonSQS.")) {
        const input = JSON.parse(text) as {
          QueueUrl: string;
          ReceiptHandle?: string;
          VisibilityTimeout?: number;
        };
        const queue = queueOf(input.QueueUrl);
        if (target === "AmazonSQS.ReceiveMessage") {
          const messages = queue
            .filter((m) => m.handle === null)
            .slice(0, 10)
            .map((m) => {
              m.handle = randomUUID();
              return {
                MessageId: m.id,
                ReceiptHandle: m.handle,
                Body: m.body,
                MD5OfBody: createHash("md5").update(m.body).digest("hex"),
                Attributes: { SentTimestamp: String(Date.now()) },
              };
            });
          return json(
            200,
            messages.length ? { Messages: messages } : {},
            "application/x-amz-json-1.0",
          );
        }
        const index = queue.findIndex((m) => m.handle !== null && m.handle === input.ReceiptHandle);
        const message = queue[index];
        if (message && target === "AmazonSQS.DeleteMessage") queue.splice(index, 1);
        if (message && target === "AmazonSQS.ChangeMessageVisibility" && !input.VisibilityTimeout) {
          message.handle = null;
        }
        return json(200, {}, "application/x-amz-json-1.0");
      }
      if (target === "secretsmanager.GetSecretValue") {
        const { SecretId } = JSON.parse(text) as { SecretId: string };
        const value = options.secrets[SecretId];
        if (value === undefined) {
          return json(400, {
            __type: "ResourceNotFoundException",
            message: `no secret ${SecretId}`,
          });
        }
        return json(200, { ARN: SecretId, Name: SecretId, SecretString: value, VersionId: "v1" });
      }
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? "");
      if (invoke?.[1]) {
        try {
          const result = await options.invoke(
            decodeURIComponent(invoke[1]),
            JSON.parse(text || "{}"),
          );
          response.writeHead(200, {
            "content-type": "application/json",
            "x-amz-executed-version": "$LATEST",
          });
          response.end(JSON.stringify(result ?? null));
        } catch (error) {
          response.writeHead(200, {
            "content-type": "application/json",
            "x-amz-function-error": "Unhandled",
          });
          response.end(
            JSON.stringify({ errorType: "Error", errorMessage: (error as Error).message }),
          );
        }
        return;
      }
      const form = new URLSearchParams(text);
      if (form.get("Action") === "DescribeStacks") {
        const members = Object.entries(options.outputs)
          .map(
            ([k, v]) =>
              `<member><OutputKey>${escapeXml(k)}</OutputKey><OutputValue>${escapeXml(v)}</OutputValue></member>`,
          )
          .join("");
        response.writeHead(200, { "content-type": "text/xml" });
        response.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(form.get("StackName") ?? "")}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
        return;
      }
      json(400, { __type: "UnknownOperationException", message: `${target || request.url}` });
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
