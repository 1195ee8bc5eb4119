import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

/**
 * The links an MLflow client prints for a Cairn server ("View run at http://host/#/experiments/1/runs/abc") open
 * Cairn's page for the same thing; the run page names its experiment and lists the model versions it produced.
 */

const post = async <T>(server: TempServer, path: string, body: unknown): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

/** The version page asks for the MLmodel file, which this seed never uploaded: its 404 is expected, nothing else is. */
const scriptErrors = (errors: readonly string[]): string[] => errors.filter((error) => !error.startsWith("Failed to load resource: the server responded with a status of 404"));

describe("MLflow's links and the run page in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-links-");
    ({ experiment_id: experimentId } = await post<{ experiment_id: string }>(server, "experiments/create", { name: "churn-model" }));
    const { run } = await post<{ run: { info: { run_id: string; artifact_uri: string } } }>(server, "runs/create", { experiment_id: experimentId, run_name: "xgb-baseline" });
    runId = run.info.run_id;
    await post(server, "runs/log-metric", { run_id: runId, key: "auc", value: 0.9375, timestamp: Date.UTC(2026, 11, 4, 9, 30), step: 0 });
    await post(server, "registered-models/create", { name: "churn classifier" });
    await post(server, "model-versions/create", { name: "churn classifier", source: `${run.info.artifact_uri}/model`, run_id: runId });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens the run MLflow's 'View run at' link names, with the experiment named in the crumbs and the run's model versions", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    const response = await page.goto(`/#/experiments/${experimentId}/runs/${runId}`);
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { level: 1, name: "xgb-baseline" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${experimentId}/runs/${runId}`);
    expect(new URL(page.url()).hash).toBe("");
    const crumbs = page.getByRole("navigation", { name: "Breadcrumbs" });
    await crumbs.getByRole("link", { name: "churn-model" }).waitFor();
    expect((await crumbs.textContent())?.replace(/\s+/g, " ")).toBe("Experiments / churn-model / xgb-baseline");

    const version = page.getByRole("link", { name: "churn classifier version 1" });
    await version.click();
    await page.getByRole("heading", { level: 1, name: "churn classifier version 1" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/models/churn%20classifier/versions/1");
    expect(scriptErrors(pageErrors)).toEqual([]);
    await context.close();
  });

  it("shows a metric logged once as its value, not an empty chart (opened from MLflow's metrics tab link)", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/#/experiments/${experimentId}/runs/${runId}/model-metrics`);
    const value = page.getByRole("figure", { name: "auc value" });
    await value.waitFor();
    expect(await value.locator(".single-value-number").textContent()).toBe("0.9375");
    expect(await page.getByRole("figure", { name: "auc chart" }).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("tab")).toBe("metrics");
    expect(scriptErrors(pageErrors)).toEqual([]);
    await context.close();
  });

  it("opens MLflow's experiment and model version links", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/#/experiments/${experimentId}`);
    await page.getByRole("heading", { level: 1, name: "churn-model" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${experimentId}`);

    await page.goto(`/#/models/churn%20classifier/versions/1`);
    await page.getByRole("heading", { level: 1, name: "churn classifier version 1" }).waitFor();
    await page.goto(`/#/models/churn%20classifier`);
    await page.getByRole("heading", { level: 1, name: "churn classifier" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/models/churn%20classifier");
    expect(scriptErrors(pageErrors)).toEqual([]);
    await context.close();
  });
});
