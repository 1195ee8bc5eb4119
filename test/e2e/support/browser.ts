import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot run here). `.ci/run`
 * installs the package; CHROMIUM_PATH points elsewhere if needed.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this machine refuses.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (no cookies, no cache) whose pages record every request they make. */
  newPage(baseUrl: string): Promise<RecordingPage>;
  close(): Promise<void>;
}

export interface RecordingPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions of the page. */
  pageErrors: string[];
}

/** `extraArgs`: more Chromium flags for one test (e.g. --host-resolver-rules to stand in for a DNS name). */
export const launchBrowser = async (extraArgs: readonly string[] = []): Promise<TestBrowser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  }
  // A plain launch runs on a fresh temporary profile (--user-data-dir) that Playwright removes on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
    headless: true,
  });
  return {
    browser,
    newPage: async (baseUrl) => {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
      // Well inside vitest's 30 s test timeout, so that a wait that never ends fails naming its locator.
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const requests: string[] = [];
      const pageErrors: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => pageErrors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(message.text());
      });
      return { page, context, requests, pageErrors };
    },
    close: async () => {
      await browser.close();
    },
  };
};

/** Where the e2e tests put the screenshots that docs/ shows, when CAIRN_SCREENSHOTS=1 (`npm run screenshots`). */
export const screenshotPath = (name: string): string | undefined =>
  process.env.CAIRN_SCREENSHOTS === "1" ? path.join(process.cwd(), "docs", "screenshots", `${name}.png`) : undefined;
