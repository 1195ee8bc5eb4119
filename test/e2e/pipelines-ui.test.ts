import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_HASH, PREPARED_FILES, PREPARED_HASH, RAW_HASH, seedPipeline, type SeededPipeline } from "../../src/pipelines/server/test-support/pipeline-seed.js";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, screenshotPath, type RecordingPage, type TestBrowser } from "./support/browser.js";

/**
 * Issue 13's UI in Chromium against a real server seeded over MLflow's REST API as `cairn repro` and its tracker
 * write: the pipelines list, a pipeline's DAG (stage states, links to stage runs), a data version's page and the
 * lineage graph's data version nodes; each page also passes axe-core (WCAG 2.1 A/AA, serious or critical).
 */
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server: TempServer;
let browser: TestBrowser;
let seeded: SeededPipeline;

beforeAll(async () => {
  server = await startTempServer("cairn-e2e-pipelines-");
  seeded = await seedPipeline(server, Date.now() - 60_000);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const expectCleanPage = (recording: RecordingPage): void => {
  const origin = new URL(server.url).origin;
  expect(recording.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  expect(recording.pageErrors).toEqual([]);
};

const expectNoSeriousAxeViolation = async (page: Page): Promise<void> => {
  await page.waitForLoadState("networkidle");
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)",
  )) as Array<{ id: string; impact: string | null; nodes: { target: string[] }[] }>;
  expect(
    violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 5).join(", ")}`),
  ).toEqual([]);
};

const runHref = (runId: string): string => `/experiments/${seeded.experimentId}/runs/${runId}`;

describe("pipelines and data versions in the browser", () => {
  it("lists the pipeline run and draws its DAG with each stage's state, linking to the stage runs", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/pipelines");
    const link = page.getByRole("table", { name: "Pipeline runs" }).getByRole("link", { name: "repro" });
    await link.waitFor();
    await expectNoSeriousAxeViolation(page);
    await link.click();
    await page.waitForURL((url) => url.pathname === `/pipelines/${seeded.parentRunId}`);
    const dag = page.getByRole("group", { name: "Pipeline stages, upstream on the left" });
    await dag.getByRole("link").first().waitFor();
    const stages = await dag.getByRole("link").all();
    expect(await Promise.all(stages.map(async (stage) => [await stage.getAttribute("aria-label"), await stage.getAttribute("href")]))).toEqual([
      ["prepare ran: stage prepare, ran", runHref(seeded.prepareRunId)],
      ["train cached: stage train, restored from run cache", runHref(seeded.trainRunId)],
      ["evaluate failed: stage evaluate, failed", runHref(seeded.evaluateRunId)],
    ]);
    expect(await dag.getByRole("img", { name: "report skipped: stage report, skipped (unchanged)" }).count()).toBe(1);
    // Each state has its own colour (the CSS of data-state), and the legend names them.
    // A string: the test files are type-checked without the DOM's types.
    const fills = (await page.evaluate(
      '[...document.querySelectorAll(".dag-stage")].map((stage) => [stage.getAttribute("data-state"), getComputedStyle(stage.querySelector("rect")).fill])',
    )) as Array<[string, string]>;
    expect(fills.map(([state]) => state)).toEqual(["ran", "cached", "failed", "skipped"]);
    expect(new Set(fills.map(([, fill]) => fill)).size).toBe(4);
    expect(await page.getByRole("list", { name: "Stage states" }).getByRole("listitem").allInnerTexts()).toEqual([
      "Ran",
      "Restored from run cache",
      "Skipped (unchanged)",
      "Failed",
    ]);
    await expectNoSeriousAxeViolation(page);
    const shot = screenshotPath("pipeline-dag");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await dag.getByRole("link", { name: "train cached: stage train, restored from run cache" }).click();
    await page.waitForURL((url) => url.pathname === runHref(seeded.trainRunId));
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("shows a data version's files, its runs and the model version whose lineage contains it, linked from the run's datasets", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto(runHref(seeded.trainRunId));
    const datasetLink = page.getByRole("link", { name: "data/prepared" });
    await datasetLink.click();
    await page.waitForURL((url) => decodeURIComponent(url.pathname) === `/data-versions/${PREPARED_HASH}`);
    const files = page.getByRole("table", { name: "Files" });
    await files.waitFor();
    expect(await files.getByRole("row").allInnerTexts()).toEqual([
      "Path\tSize\tsha256",
      ...PREPARED_FILES.map((file) => `${file.relpath}\t5 B\t${file.sha256.slice(0, 12)}`),
    ]);
    expect(await page.getByRole("table", { name: "Produced by" }).getByRole("link", { name: "prepare" }).getAttribute("href")).toBe(runHref(seeded.prepareRunId));
    expect(await page.getByRole("table", { name: "Used by" }).getByRole("link", { name: "train" }).getAttribute("href")).toBe(runHref(seeded.trainRunId));
    expect(await page.getByRole("link", { name: "churn v1" }).getAttribute("href")).toBe("/models/churn/versions/1");
    await expectNoSeriousAxeViolation(page);
    const shot = screenshotPath("data-version");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("draws the registered model's lineage back to the data at the start of the pipeline", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto(`/models/churn/versions/${seeded.version}?tab=lineage`);
    const graph = page.getByRole("group", { name: "Lineage graph, upstream on the left" });
    const raw = graph.getByRole("link", { name: "Data version data/raw.csv" });
    await raw.waitFor();
    expect(await raw.getAttribute("href")).toBe(`/data-versions/${RAW_HASH}`);
    expect(await graph.getByRole("link", { name: "Data version data/prepared" }).getAttribute("href")).toBe(`/data-versions/${encodeURIComponent(PREPARED_HASH)}`);
    expect(await graph.getByRole("link", { name: "Data version model" }).getAttribute("href")).toBe(`/data-versions/${encodeURIComponent(MODEL_HASH)}`);
    expect(await page.getByRole("list", { name: "Node kinds" }).getByRole("listitem").allInnerTexts()).toEqual([
      "Data version",
      "Experiment",
      "Run",
      "Model version",
      "Registered model",
    ]);
    // Left to right in the order data flowed: raw data, prepare, prepared data, train, the version.
    const x = async (name: string): Promise<number> => Number(await graph.getByRole("link", { name }).locator("rect").getAttribute("x"));
    const xs = await Promise.all(["Data version data/raw.csv", "Run prepare", "Data version data/prepared", "Run train"].map(x));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(4);
    await expectNoSeriousAxeViolation(page);
    const shot = screenshotPath("lineage-data-versions");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await raw.click();
    await page.waitForURL((url) => url.pathname === `/data-versions/${RAW_HASH}`);
    await page.getByRole("heading", { name: `Data version data/raw.csv ${RAW_HASH.slice(0, 12)}` }).waitFor();
    await recording.context.close();
    expectCleanPage(recording);
  });
});
