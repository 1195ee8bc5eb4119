import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, screenshotPath, type TestBrowser } from "./support/browser.js";

/**
 * The experiments and runs pages in Chromium against a real server seeded through its API: 30 runs whose accuracy
 * is a permutation of 0.70..0.99 unrelated to their start order, so that sorting and filtering show for real.
 */

const RUNS = 30;
const BASE_TIME = Date.UTC(2026, 10, 20, 9, 0, 0);
/** Run i's accuracy: (70 + (7i mod 30)) / 100, every value 0.70..0.99 once. */
const accOf = (i: number): number => (70 + ((i * 7) % RUNS)) / 100;
const nameOf = (i: number): string => `run-${String(i).padStart(2, "0")}`;

interface Seeded {
  experimentId: string;
  runIds: Map<string, string>;
}

const post = async <T>(server: TempServer, path: string, body: unknown): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

const seed = async (server: TempServer): Promise<Seeded> => {
  for (const name of ["fraud-detector", "recsys-ranking"]) {
    await post(server, "experiments/create", { name, tags: [{ key: "team", value: name.split("-")[0] }] });
  }
  const { experiment_id: experimentId } = await post<{ experiment_id: string }>(server, "experiments/create", {
    name: "churn-model",
    tags: [{ key: "team", value: "growth" }],
  });
  const runIds = new Map<string, string>();
  for (let i = 0; i < RUNS; i += 1) {
    const startTime = BASE_TIME + i * 60_000;
    const { run } = await post<{ run: { info: { run_id: string } } }>(server, "runs/create", {
      experiment_id: experimentId,
      run_name: nameOf(i),
      start_time: startTime,
      user_id: i % 2 ? "ana" : "ben",
    });
    const runId = run.info.run_id;
    runIds.set(nameOf(i), runId);
    const acc = accOf(i);
    await post(server, "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "acc", value: acc, timestamp: startTime + 1000, step: 0 },
        { key: "loss", value: Number((1.2 - acc).toFixed(3)), timestamp: startTime + 1000, step: 0 },
      ],
      params: [
        { key: "lr", value: ["0.1", "0.01", "0.001"][i % 3] },
        { key: "depth", value: String(2 + (i % 5)) },
      ],
      tags: [{ key: "team", value: i % 2 ? "fraud" : "growth" }],
    });
    await post(server, "runs/update", { run_id: runId, status: "FINISHED", end_time: startTime + (i + 1) * 7_000 });
  }
  return { experimentId, runIds };
};

/** The run names of the rendered rows, top to bottom. */
const rowNames = (page: Page): Promise<string[]> => page.locator("table.runs-table tbody tr:not(.spacer) td:nth-child(2)").allTextContents();

const byAccDescending = Array.from({ length: RUNS }, (_, i) => i).sort((a, b) => accOf(b) - accOf(a)).map(nameOf);
const above90 = Array.from({ length: RUNS }, (_, i) => i).filter((i) => accOf(i) > 0.9);

describe("experiments and runs pages in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;
  let seeded: Seeded;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-runs-");
    seeded = await seed(server);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const ownRequestsOnly = (requests: string[]): void => {
    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  };

  it("lists experiments, searches them by name and opens one", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await page.getByRole("link", { name: "churn-model" }).waitFor();
    expect(await page.locator("table.data tbody tr td:first-child a").allTextContents()).toEqual(["churn-model", "recsys-ranking", "fraud-detector", "Default"]);
    const shot = screenshotPath("experiments");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    await page.getByRole("searchbox", { name: "Search experiments by name" }).fill("RANK");
    await expect.poll(() => page.locator("table.data tbody tr td:first-child a").allTextContents()).toEqual(["recsys-ranking"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("RANK");

    await page.getByRole("searchbox", { name: "Search experiments by name" }).fill("churn");
    await page.getByRole("link", { name: "churn-model" }).click();
    await page.getByRole("heading", { name: "churn-model" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}`);
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("renders runs with the experiment's metrics and params by default, then the chosen columns, and sorts by one", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("link", { name: "run-29" }).waitFor();
    // Newest first by default.
    expect((await rowNames(page)).slice(0, 3)).toEqual(["run-29", "run-28", "run-27"]);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "runs loaded" }).textContent()).toBe("30 runs loaded (all)");

    // With no columns in the URL, the table shows the metrics and params the runs carry.
    const dataHeaders = async (): Promise<string[]> => (await page.locator("table.runs-table thead th").allTextContents()).filter((text) => /^(metrics|params|tags)\./.test(text));
    await expect.poll(dataHeaders).toEqual(["metrics.acc", "metrics.loss", "params.depth", "params.lr"]);
    expect(new URL(page.url()).searchParams.has("col")).toBe(false);

    await page.getByText("Columns (4)", { exact: true }).click();
    await page.getByRole("group", { name: "Metrics" }).getByRole("checkbox", { name: "loss" }).uncheck();
    await page.getByRole("group", { name: "Params" }).getByRole("checkbox", { name: "depth" }).uncheck();
    await expect.poll(dataHeaders).toEqual(["metrics.acc", "params.lr"]);
    expect(new URL(page.url()).searchParams.getAll("col")).toEqual(["metrics.acc", "params.lr"]);
    const row17 = page.getByRole("row").filter({ has: page.getByRole("link", { name: "run-17", exact: true }) });
    // run-17 has the best accuracy, 0.99, and lr 0.001 (i mod 3 = 2).
    expect((await row17.locator("td").allTextContents()).slice(-2)).toEqual(["0.99", "0.001"]);
    await page.getByText("Columns (2)").click();

    await page.getByRole("button", { name: "metrics.acc" }).click();
    await expect.poll(async () => (await rowNames(page)).slice(0, 5)).toEqual(byAccDescending.slice(0, 5));
    expect(await page.getByRole("columnheader", { name: "metrics.acc" }).getAttribute("aria-sort")).toBe("descending");
    expect(new URL(page.url()).searchParams.get("sort")).toBe("metrics.acc");
    await page.getByRole("button", { name: "metrics.acc" }).click();
    await expect.poll(async () => (await rowNames(page)).slice(0, 5)).toEqual([...byAccDescending].reverse().slice(0, 5));
    expect(new URL(page.url()).searchParams.get("dir")).toBe("asc");
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("narrows the table with a filter typed using key completion, kept in the URL across a reload", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("link", { name: "run-29" }).waitFor();
    const filterBox = page.getByRole("combobox", { name: "Filter runs" });
    await filterBox.click();
    await filterBox.pressSequentially("metrics.a");
    await page.getByRole("option", { name: "metrics.acc" }).waitFor();
    await filterBox.press("Enter");
    expect(await filterBox.inputValue()).toBe("metrics.acc");
    await filterBox.pressSequentially(" > 0.9");
    await filterBox.press("Enter");

    const expected = above90.map(nameOf).sort().reverse();
    await expect.poll(() => rowNames(page)).toEqual(expected);
    expect(expected).toHaveLength(9);
    expect(new URL(page.url()).searchParams.get("filter")).toBe("metrics.acc > 0.9");

    await page.reload();
    await page.getByRole("link", { name: expected[0] ?? "" }).waitFor();
    expect(await rowNames(page)).toEqual(expected);
    expect(await page.getByRole("combobox", { name: "Filter runs" }).inputValue()).toBe("metrics.acc > 0.9");
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows the server's message for a bad filter instead of the table", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}?filter=${encodeURIComponent("params.lr > 1")}`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not load runs\. Invalid comparator '>' for param 'lr'/);
    expect(await page.locator("table.runs-table").count()).toBe(0);
    await context.close();
  });

  it("compares two selected runs", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("checkbox", { name: "Select run-21" }).check();
    await page.getByRole("checkbox", { name: "Select run-05" }).check();
    const id21 = seeded.runIds.get("run-21");
    const id05 = seeded.runIds.get("run-05");
    expect(new URL(page.url()).searchParams.getAll("sel")).toEqual([id21, id05]);
    await page.getByRole("button", { name: "Compare (2)" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/compare");
    expect(new URL(page.url()).searchParams.getAll("run")).toEqual([id21, id05]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("deletes a run and restores it from the deleted view", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("checkbox", { name: "Select run-00" }).check();
    await page.getByRole("button", { name: "Delete (1)" }).click();
    await expect.poll(async () => (await rowNames(page)).length).toBe(29);
    expect(await rowNames(page)).not.toContain("run-00");
    expect(new URL(page.url()).searchParams.getAll("sel")).toEqual([]);

    await page.getByLabel("Show").selectOption("deleted");
    await expect.poll(() => rowNames(page)).toEqual(["run-00"]);
    await page.getByRole("checkbox", { name: "Select run-00" }).check();
    expect(await page.getByRole("button", { name: "Delete (0)" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Restore (1)" }).click();
    await page.getByText("No runs here yet.").waitFor();

    await page.getByLabel("Show").selectOption("active");
    await expect.poll(async () => (await rowNames(page)).length).toBe(30);
    const response = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${seeded.runIds.get("run-00")}`);
    const stored = (await response.json()) as { run: { info: { lifecycle_stage: string } } };
    expect(stored.run.info.lifecycle_stage).toBe("active");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("screenshots the runs table with chosen metric and param columns", async () => {
    const shot = screenshotPath("runs");
    const { page, context } = await browser.newPage(server.url);
    const query = "col=metrics.acc&col=metrics.loss&col=params.lr&col=params.depth&col=tags.team&sort=metrics.acc";
    await page.goto(`/experiments/${seeded.experimentId}?${query}&sel=${seeded.runIds.get("run-17")}&sel=${seeded.runIds.get("run-04")}`);
    await page.getByRole("columnheader", { name: "metrics.loss" }).waitFor();
    await page.getByRole("link", { name: "run-17" }).waitFor();
    expect((await rowNames(page))[0]).toBe("run-17");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await context.close();
  });
});
