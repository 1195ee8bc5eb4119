import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

describe("web UI shell in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-");
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("serves the app at / and keeps every request on the Cairn server", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/experiments");
    await page.getByRole("link", { name: "Models" }).click();
    expect(new URL(page.url()).pathname).toBe("/models");
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("opens a deep link directly (the server answers page paths with the app)", async () => {
    const { page, context } = await browser.newPage(server.url);
    const response = await page.goto("/models/churn?tab=versions");
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    // Scoped to the main navigation: the model page's breadcrumbs link to the models too, once they render.
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" }).getAttribute("aria-current")).toBe("page");
    await context.close();
  });
});
