/**
 * One advice everywhere (SPEC sections 4 and 8): for every combination of replacement, warnings
 * and auto-renew, the calendar feed's entry and the reminder email's `expiries.ics` entry with the
 * same UID carry the same DESCRIPTION — both parsed back with node-ical from what the real local
 * runtime served (the feed) and sent through the local SES (the email, after a real scan).
 */
import ical from "node-ical";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expiryUid } from "../../shared/calendar/expiry-calendar.js";
import { cliJson } from "../e2e/helpers.js";
import { accepted, invitationSent, original, provisioned } from "../support/events.js";
import { dayFrom } from "./fixtures.js";
import { startWebRuntime, type WebRuntime } from "./runtime.js";

const NOW = new Date().toISOString();
const PARTNER = "partner-advice";
const CUSTOMER = "tenant-advice";
const PARTNER_EMAIL = "advice@partner.example";
const OFFER = "offer-same";

/** What the replacement looks like; each gives the original a different set of warnings. */
const REPLACEMENTS = {
  none: null,
  same: { offerId: OFFER, quantity: 10 },
  fewerSeats: { offerId: OFFER, quantity: 8 },
  moreSeats: { offerId: OFFER, quantity: 12 },
  otherOffer: { offerId: "offer-other", quantity: 10 },
  otherOfferFewerSeats: { offerId: "offer-other", quantity: 9 },
} as const;

type Case = { id: string; discontinued: boolean; autoRenew: boolean; replacement: string };
const CASES: Case[] = Object.keys(REPLACEMENTS).flatMap((replacement) =>
  [false, true].flatMap((discontinued) =>
    [false, true].map((autoRenew) => ({
      id: `o-${replacement}-${discontinued ? "disc" : "cur"}-${autoRenew ? "renew" : "norenew"}`,
      discontinued,
      autoRenew,
      replacement,
    })),
  ),
);
const END = dayFrom(NOW, 20);

let web: WebRuntime;

function transferEvents() {
  const key = { partnerId: PARTNER, customerTenantId: CUSTOMER };
  const sentAt = new Date(Date.parse(NOW) - 30 * 86_400_000).toISOString();
  const provisionedAt = new Date(Date.parse(NOW) - 10 * 86_400_000).toISOString();
  return [
    invitationSent({
      ...key,
      partnerEmail: PARTNER_EMAIL,
      customerName: "Advice Co",
      sentAt,
      subscriptions: CASES.map((c) =>
        original({
          subscriptionId: c.id,
          offerId: OFFER,
          offerName: "Office 365 E1",
          quantity: 10,
          commitmentEndDate: END,
          autoRenewEnabled: c.autoRenew,
          offerDiscontinued: c.discontinued,
          termDuration: "P1Y",
        }),
      ),
    }),
    accepted({ ...key, acceptedAt: sentAt }),
    ...CASES.flatMap((c) => {
      const replacement = REPLACEMENTS[c.replacement as keyof typeof REPLACEMENTS];
      return replacement
        ? [
            provisioned({
              ...key,
              subscriptionId: `n-${c.id}`,
              offerId: replacement.offerId,
              quantity: replacement.quantity,
              provisionedAt,
              replacesSubscriptionId: c.id,
            }),
          ]
        : [];
    }),
  ];
}

type SentMail = { destination: { to: string[] }; attachments?: { content: string }[] };

const descriptions = (text: string) =>
  new Map(
    (
      Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === "VEVENT") as ical.VEvent[]
    ).map((e) => [e.uid, String(e.description)]),
  );

let fromEmail: Map<string, string>;
let fromFeed: Map<string, string>;

beforeAll(async () => {
  web = await startWebRuntime(inject("dynamoEndpoint"));
  await web.load([
    { partnerId: PARTNER, customerTenantId: CUSTOMER, customerName: "", events: transferEvents() },
  ]);
  await cliJson(["scan", "--now", NOW], web.env);
  await fetch(`http://127.0.0.1:${web.ports.events}/_local/drain`, { method: "POST" });
  const store = (await (await fetch(`http://127.0.0.1:${web.ports.ses}/store`)).json()) as {
    emails: SentMail[];
  };
  const digest = store.emails.find((e) => e.destination.to.includes(PARTNER_EMAIL));
  const attachment = digest?.attachments?.[0]?.content ?? "";
  fromEmail = descriptions(Buffer.from(attachment, "base64").toString("utf8"));
  const { url } = await cliJson<{ url: string }>(["calendar-url", "--partner", PARTNER], web.env);
  fromFeed = descriptions(await (await fetch(url)).text());
});

afterAll(async () => {
  await web?.stop();
});

describe("the calendar feed and the reminder email give each UID the same description", () => {
  it("lists every original in both", () => {
    const uids = CASES.map((c) => expiryUid(c.id, END)).sort();
    expect([...fromEmail.keys()].sort()).toEqual(uids);
    expect([...fromFeed.keys()].sort()).toEqual(uids);
  });

  it.each(CASES)("$id", (c) => {
    const uid = expiryUid(c.id, END);
    const feed = fromFeed.get(uid);
    expect(feed).toBeTruthy();
    expect(feed).toBe(fromEmail.get(uid));
  });

  it("advises a discontinued original with no replacement to find an equivalent offer", () => {
    const feed = fromFeed.get(expiryUid("o-none-disc-renew", END)) ?? "";
    expect(feed).toContain("is discontinued: find an equivalent offer");
    expect(feed).not.toContain("Provision the same offer");
    expect(feed).toContain("Turn auto-renew off on the original");
  });

  it("names the warnings with their numbers in the description", () => {
    const feed = fromFeed.get(expiryUid("o-fewerSeats-cur-renew", END)) ?? "";
    expect(feed).toContain("Seat count differs (expected 10, actual 8)");
    expect(feed).toContain("Auto-renew is on");
    expect(feed).toContain("Provision the missing 2 seats on the replacement");
  });
});
