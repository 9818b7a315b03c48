/**
 * The partner web app in a real headless Chromium against the real local runtime: the list with
 * its risk chart, search and filter, a transfer with its warnings and timeline, the due page,
 * keyboard use, escaping of hostile names, the CSP, and axe-core on every page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { axeViolations, collectPageErrors, launchBrowser, seriousOrCritical } from "./browser.js";
import { sampleBook } from "./fixtures.js";
import { startWebRuntime, type WebRuntime } from "./runtime.js";

const PARTNER = "partner-northwind";
let web: WebRuntime;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  web = await startWebRuntime(inject("dynamoEndpoint"));
  await web.load(sampleBook(PARTNER, new Date().toISOString()));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectPageErrors(page);
  return async () => {
    await page.close();
  };
});

const rowNames = (p: Page) =>
  p.locator("table.transfers tbody tr:not([hidden]) td:first-child a").allTextContents();

describe("the transfer list", () => {
  it("lists every transfer, soonest expiry first, with the risk chart above", async () => {
    await page.goto(`${web.web}/`);
    const names = await rowNames(page);
    expect(names).toHaveLength(11);
    // Ends in 6, 15, 24 ... days: the book's order.
    expect(names.slice(0, 3)).toEqual([
      "Fabrikam Ltd",
      "Contoso Pharmaceuticals",
      "Northwind Traders",
    ]);
    expect(await page.locator("svg.risk-chart rect.bar-missing").count()).toBeGreaterThan(0);
    expect(await page.locator("svg.risk-chart rect.bar-provisioned").count()).toBeGreaterThan(0);
    expect(await page.locator("#risk-desc").textContent()).toMatch(
      /^\d+ originals end in the next 120 days; \d+ of them have no replacement yet\.$/,
    );
    expect(errors).toEqual([]);
  });

  it("shows a hostile customer name as text, never as markup", async () => {
    await page.goto(`${web.web}/`);
    const hostile = page.locator("table.transfers a", { hasText: "Evil & Co" });
    expect(await hostile.textContent()).toBe(
      `<img src=x onerror="alert('owned')"><b>Evil & Co</b>`,
    );
    expect(await page.locator("table.transfers img, table.transfers b").count()).toBe(0);
    await hostile.click();
    await page.waitForURL(/tenant-hostile/);
    expect(await page.locator("h1").textContent()).toContain("<b>Evil & Co</b>");
    expect(await page.locator("main img, main b").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("filters rows as you type and by ?q= when the search is submitted", async () => {
    await page.goto(`${web.web}/`);
    await page.locator("#q").fill("wood");
    expect(await rowNames(page)).toEqual(["Woodgrove Bank"]);
    expect(await page.locator("#count").textContent()).toContain("1 of 11 transfers match");
    await page.locator("#q").press("Enter");
    await page.waitForURL(/\?q=wood/);
    expect(await rowNames(page)).toEqual(["Woodgrove Bank"]);
    expect(await page.locator("#q").inputValue()).toBe("wood");
  });

  it("filters by status with ?status=", async () => {
    await page.goto(`${web.web}/`);
    await page.locator("#status").selectOption("INVITED");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/status=INVITED/);
    const statuses = await page.locator("table.transfers tbody .status").allTextContents();
    expect(statuses.length).toBe(3);
    expect(new Set(statuses)).toEqual(new Set(["Invited"]));
  });

  it("answers a bad status with a 400 page that says what is wrong", async () => {
    const response = await page.goto(`${web.web}/?status=DONE`);
    expect(response?.status()).toBe(400);
    expect(await page.locator("main").textContent()).toContain("status must be one of");
  });
});

describe("a transfer's page", () => {
  it("shows status, warnings in words, originals with replacements, history and the timeline", async () => {
    await page.goto(`${web.web}/`);
    await page.getByRole("link", { name: "Fabrikam Ltd" }).click();
    await page.waitForURL(/\/transfers\/partner-northwind\/tenant-01$/);
    expect(await page.locator("h1").textContent()).toBe("Fabrikam Ltd");
    expect(await page.locator(".status-line .status").textContent()).toBe("Provisioning");
    const warnings = await page.locator("li.warning").allTextContents();
    expect(warnings).toHaveLength(2);
    expect(warnings.find((w) => w.startsWith("Seat count differs"))).toMatch(/24 seats.*25 seats/);
    expect(warnings.find((w) => w.startsWith("Auto-renew is on"))).toBeDefined();
    const originals = page.locator("table.originals tbody tr");
    expect(await originals.count()).toBe(2);
    expect(await originals.nth(0).textContent()).toContain("tenant-01-n1");
    expect(await originals.nth(1).textContent()).toContain("no replacement yet");
    expect(await page.locator("table.history tbody tr").count()).toBe(3);

    const svg = page.locator("svg.timeline-chart");
    expect(await svg.locator(".today-line").count()).toBe(1);
    expect(await svg.locator(".marker-end").count()).toBe(2);
    expect(await svg.locator(".marker-at-risk").count()).toBe(1);
    expect(await svg.locator(".marker-provisioned").count()).toBe(1);
    // Five thresholds (60, 30, 14, 7, 1 days) before each of the two end dates.
    expect(await svg.locator(".threshold").count()).toBe(10);
    // The replacement was provisioned before today, and the end dates are after it.
    const x = async (selector: string) =>
      (await svg.locator(selector).first().boundingBox())?.x ?? Number.NaN;
    expect(await x(".marker-provisioned")).toBeLessThan(await x(".today-line"));
    expect(await x(".marker-end")).toBeGreaterThan(await x(".today-line"));
    expect(errors).toEqual([]);
  });

  it("answers an unknown transfer with a 404 page", async () => {
    const response = await page.goto(`${web.web}/transfers/${PARTNER}/nobody`);
    expect(response?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Not found");
  });
});

describe("the due page", () => {
  it("lists originals due within N days, soonest first", async () => {
    await page.goto(`${web.web}/due?within=20`);
    const days = await page.locator("table.due tbody tr td:first-child").allTextContents();
    expect(days).toEqual(["6 days", "15 days"]);
    await page.locator("#within").fill("40");
    await page.locator("#within").press("Enter");
    await page.waitForURL(/within=40/);
    expect(await page.locator("table.due tbody tr").count()).toBe(5);
  });
});

describe("keyboard", () => {
  it("reaches the skip link, the filters and a transfer by keyboard alone", async () => {
    await page.goto(`${web.web}/`);
    const focused = () =>
      page.evaluate(() => {
        const el = (
          globalThis as unknown as {
            document: {
              activeElement: { id: string; textContent: string | null; tagName: string } | null;
            };
          }
        ).document.activeElement;
        return el
          ? `${el.tagName.toLowerCase()}#${el.id}:${(el.textContent ?? "").trim().slice(0, 30)}`
          : "";
      });
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("a#:Skip to content");
    await page.keyboard.press("Enter");
    expect(await focused()).toMatch(/^main#main:/);
    await page.keyboard.press("Tab");
    expect(await focused()).toMatch(/^input#q:/);
    await page.keyboard.press("Tab");
    expect(await focused()).toMatch(/^select#status:/);
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button#:Show");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("a#:Fabrikam Ltd");
    await page.keyboard.press("Enter");
    await page.waitForURL(/tenant-01$/);
    // "/" jumps to the search box from anywhere on the list.
    await page.goto(`${web.web}/`);
    await page.keyboard.press("/");
    expect(await focused()).toMatch(/^input#q:/);
  });

  it("shows where the focus is", async () => {
    await page.goto(`${web.web}/`);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const doc = globalThis as unknown as {
        document: { activeElement: unknown };
        getComputedStyle: (e: unknown) => { outlineStyle: string; outlineWidth: string };
      };
      const style = doc.getComputedStyle(doc.document.activeElement);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).toBe("solid 3px");
  });
});

describe("accessibility (axe-core)", () => {
  it.each([
    ["the list", "/"],
    ["a transfer", `/transfers/${PARTNER}/tenant-01`],
    ["the due page", "/due"],
    ["a not-found page", `/transfers/${PARTNER}/nobody`],
  ])("%s has no serious or critical violation", async (_name, path) => {
    const response = await page.goto(`${web.web}${path}`);
    const violations = await axeViolations(page);
    expect(seriousOrCritical(violations)).toEqual([]);
    // A 404 page's own status is reported as a failed resource; nothing else may fail.
    const expected = response?.status() === 404 ? 1 : 0;
    expect(errors.filter((e) => !e.includes("status of 404"))).toEqual([]);
    expect(errors).toHaveLength(expected);
  });
});
