import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import {
  END,
  mailbox,
  notifier,
  SENDER,
  scan,
  ses,
  transfer,
  useDigestHarness,
} from "./digest-harness.js";

useDigestHarness();

describe("SES faults (aws-sdk-client-mock: faults the local SES cannot cause)", () => {
  const throttling = () =>
    Object.assign(new Error("Maximum sending rate exceeded."), {
      name: "TooManyRequestsException",
    });

  it("throttling is retried with backoff until SES accepts; one attachment, the configuration set", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const client = new SESv2Client({ region: "us-east-1" });
    const mock = mockClient(client);
    mock
      .on(SendEmailCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves({ MessageId: "mocked-1" });
    const outcome = await notifier({
      ses: client,
      configurationSet: "reminders",
      throttleBackoffMs: 1,
    }).sendDigest(digest as string);
    expect(outcome).toMatchObject({ kind: "sent", messageId: "mocked-1" });
    const calls = mock.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({
      FromEmailAddress: SENDER,
      Destination: { ToAddresses: [partner] },
      ConfigurationSetName: "reminders",
      Content: {
        Simple: { Attachments: [{ FileName: "expiries.ics", ContentDisposition: "ATTACHMENT" }] },
      },
    });
  });

  it("the daily quota is not retried in place; the lease is released for a later retry", async () => {
    const partner = mailbox();
    await transfer(partner, [{ subscriptionId: "o-1", commitmentEndDate: END }]);
    const [digest] = await scan();
    const client = new SESv2Client({ region: "us-east-1" });
    const mock = mockClient(client);
    mock.on(SendEmailCommand).rejectsOnce(
      Object.assign(new Error("Daily message quota exceeded."), {
        name: "LimitExceededException",
      }),
    );
    await expect(
      notifier({ ses: client, throttleBackoffMs: 1 }).sendDigest(digest as string),
    ).rejects.toThrow("Daily message quota exceeded");
    expect(mock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect((await notifier().sendDigest(digest as string)).kind).toBe("sent");
    expect(await ses.mail(partner)).toHaveLength(1);
  });
});
