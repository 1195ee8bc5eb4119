import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../src/sdk/client.js";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { registerLogisticVersions } from "../../src/serving/test-support/registered-models.js";
import { launchBrowser, screenshotPath, type TestBrowser } from "./support/browser.js";

/**
 * Deployments and monitors in Chromium against a real server seeded through its API: three registered ONNX versions,
 * a deployment following @champion with a 20 % canary to version 2 and a shadow of version 3 mirroring half the
 * requests, predictions sent to /deployments/<name>/invocations, and a drift monitor over that deployment's log that
 * ran twice, the second time on traffic where x_1 moved.
 */
const DEPLOYMENT = "churn-live";
const MONITOR = "churn-drift";
const ROWS_PER_REQUEST = 10;
const REFERENCE_ROWS = 40;

/** Reference values: multiples of 0.25 (exact in float32, as the prediction log stores them), a different order per column. */
const referenceRow = (i: number): number[] => [0, 1, 2, 3].map((j) => (((i * 7 + j * 3) % REFERENCE_ROWS) - 20) * 0.25);

let server: TempServer;
let browser: TestBrowser;
let client: CairnClient;
let dir: string;
/** Runs of the monitor after seeding: two, or three should the scheduler's first tick have slipped in between. */
let seededRuns = 0;

const cairnApi = async <T>(method: "GET" | "POST", endpoint: string, body?: object): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/cairn/${endpoint}`, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ana" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${endpoint}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
};

/** Sends the reference rows (x_1 moved by `shiftX1`) in requests of ten rows; waits until the log holds them. */
const sendTraffic = async (batch: string, shiftX1: number): Promise<void> => {
  for (let start = 0; start < REFERENCE_ROWS; start += ROWS_PER_REQUEST) {
    const rows = Array.from({ length: ROWS_PER_REQUEST }, (_, k) => {
      const row = referenceRow(start + k);
      row[1] = (row[1] as number) + shiftX1;
      return row;
    });
    await client.serving.predict(DEPLOYMENT, { inputs: { x: rows } }, { requestId: `${batch}-${start / ROWS_PER_REQUEST}` });
  }
  // The log is written off the response path: wait for this batch's last request.
  const last = `${batch}-${REFERENCE_ROWS / ROWS_PER_REQUEST - 1}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const page = await cairnApi<{ predictions?: { request_id: string }[] }>("GET", `serving/predictions?deployment=${DEPLOYMENT}&max_results=1000`);
    if (page.predictions?.some((p) => p.request_id === last)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`prediction ${last} never reached the log`);
};

beforeAll(async () => {
  server = await startTempServer("cairn-e2e-ops-");
  dir = await mkdtemp(path.join(tmpdir(), "cairn-e2e-ops-"));
  client = new CairnClient({ trackingUri: server.url, user: "ana" });
  await registerLogisticVersions(client, dir, "churn", [11, 12, 13]);
  await client.serving.createDeployment({ name: DEPLOYMENT, modelUri: "models:/churn@champion" });
  await client.serving.setCanary({ name: DEPLOYMENT, version: "2", weight: 0.2 });
  await client.serving.setShadow({ name: DEPLOYMENT, version: "3", share: 0.5 });
  await client.serving.createDeployment({ name: "churn-pinned", modelUri: "models:/churn/3", maxBatchSize: 32, predictionLogSampleRate: 0.25 });

  // The monitor's reference data lives in the artifact store, as a server-side monitor requires.
  const experimentId = await client.experiments.create({ name: "churn-monitoring" });
  const run = await client.runs.create({ experimentId });
  const csv = ["x_0,x_1,x_2,x_3", ...Array.from({ length: REFERENCE_ROWS }, (_, i) => referenceRow(i).join(","))].join("\n");
  await writeFile(path.join(dir, "reference.csv"), `${csv}\n`);
  await client.artifacts.uploadFile(run.info.run_id, path.join(dir, "reference.csv"), "reference/reference.csv");
  const referenceUri = `${run.info.artifact_uri}/reference/reference.csv`;

  // Which requests the shadow mirrors is random (share 0.5): probe until it has compared one, so that its report has
  // something to say and is saved on promote. The probes are older than the monitor's window of the last 40 rows.
  for (let probe = 0; ((await client.serving.shadowReport(DEPLOYMENT)) as { compared: number }).compared < 1; probe += 1) {
    if (probe === 50) throw new Error("the shadow compared none of 50 requests");
    await client.serving.predict(DEPLOYMENT, { inputs: { x: [referenceRow(probe)] } }, { requestId: `probe-${probe}` });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await sendTraffic("steady", 0);
  await cairnApi("POST", "monitors/create", {
    name: MONITOR,
    deployment: DEPLOYMENT,
    window: { last_rows: REFERENCE_ROWS },
    schedule_seconds: 3600,
    // The versions have no signature: the monitor names the columns of their [n, 4] input; 40 rows are enough here.
    features: ["x_0", "x_1", "x_2", "x_3"],
    min_rows: REFERENCE_ROWS,
    // One drifted column of four is dataset drift at 0.2: the check fails and alerts. The moved x_1 (5 .. 14.75)
    // leaves [-5, 5] in 39 of 40 rows: the data test fails too.
    checks: {
      drift: { reference: { path: referenceUri }, drift_share: 0.2 },
      data_tests: { suite: "suite: live\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: x_1\n    min_value: -5\n    max_value: 5\n" },
    },
  });
  await cairnApi("POST", "monitors/run", { name: MONITOR });
  await sendTraffic("moved", 10);
  await cairnApi("POST", "monitors/run", { name: MONITOR });
  const history = await cairnApi<{ results: { time: number }[] }>("GET", `monitors/history?name=${MONITOR}&max_results=1000`);
  seededRuns = new Set(history.results.map((r) => r.time)).size;

  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each row's cell texts (header cells included), trimmed. */
const rowTexts = async (rows: Locator): Promise<string[][]> => {
  const texts: string[][] = [];
  for (const row of await rows.all()) texts.push((await row.locator("th, td").allTextContents()).map((text) => text.trim()));
  return texts;
};

describe("deployments and monitors in Chromium", () => {
  it("lists the deployment, shows its split and shadow report, and promotes the canary through the UI", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/deployments");
    const table = page.getByRole("table");
    await table.getByRole("link", { name: DEPLOYMENT }).waitFor();
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await rowTexts(table.locator("tbody tr"))).toEqual([
      [DEPLOYMENT, "models:/churn@champion", "v1, v2, v3", "v1 80% · v2 20% canary", "mirrors 50% to v3", "ready", time],
      ["churn-pinned", "models:/churn/3", "v3", "v3 100%", "—", "ready", time],
    ]);
    const shot = screenshotPath("deployments");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    await table.getByRole("link", { name: DEPLOYMENT }).click();
    expect(new URL(page.url()).pathname).toBe(`/deployments/${DEPLOYMENT}`);
    const traffic = page.getByRole("region", { name: "Traffic split" });
    await traffic.getByRole("img", { name: "Answered traffic: version 1 primary 80%, version 2 canary 20%" }).waitFor();
    expect((await rowTexts(traffic.locator("tbody tr"))).map((cells) => cells.slice(0, 3))).toEqual([
      ["Version 1", "primary", "80%"],
      ["Version 2", "canary", "20%"],
      ["Version 3", "shadow", "50% mirrored"],
    ]);
    // Which requests were mirrored is random (share 0.5): the page must show the count the server reports.
    const report = (await client.serving.shadowReport(DEPLOYMENT)) as { compared: number };
    const shadow = page.getByRole("region", { name: "Shadow comparison: v3 against v1" });
    await shadow.getByText("Agreement rate").waitFor();
    const compared = `${report.compared} ${report.compared === 1 ? "request" : "requests"} where both answered`;
    expect(await shadow.getByText(compared, { exact: true }).count()).toBe(1);
    const endpoints = page.getByRole("region", { name: "Endpoints" });
    expect(await endpoints.locator("code").allTextContents()).toEqual([
      `POST ${server.url}/deployments/${DEPLOYMENT}/invocations`,
      `POST ${server.url}/v2/models/${DEPLOYMENT}/infer`,
    ]);
    const predictions = page.getByRole("region", { name: "Recent predictions" });
    await predictions.getByRole("cell", { name: "moved-3" }).waitFor();
    // What the model predicted stands beside the label column: a value read from the logged output tensor.
    expect(await predictions.locator("thead th").allTextContents()).toEqual(["Time", "Request id", "Version", "Latency", "Prediction", "Label"]);
    const predicted = await predictions.getByRole("row").filter({ has: page.getByRole("cell", { name: "moved-3" }) }).locator("td").nth(4).textContent();
    expect(predicted).toMatch(/^\[?-?\d/);
    const history = page.getByRole("region", { name: "History" });
    // The history arrives by its own request: wait for its oldest row before reading the table.
    await history.getByRole("cell", { name: "create" }).waitFor();
    expect((await rowTexts(history.locator("tbody tr"))).map((cells) => cells.slice(1, 5))).toEqual([
      ["shadow", "none → v3", "shadow", "ana"],
      ["canary", "none → v2", "canary", "ana"],
      ["primary", "none → v1", "create", "ana"],
    ]);
    const shot2 = screenshotPath("deployment");
    if (shot2) await page.screenshot({ path: shot2, fullPage: false });

    // Promote: one click, a question, a confirmation; the page then shows version 2 alone.
    await page.getByRole("button", { name: "Promote", exact: true }).click();
    const dialog = page.getByRole("alertdialog");
    expect(await dialog.textContent()).toContain("Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) and the shadow (v3) end.");
    await dialog.getByRole("button", { name: "Promote now" }).click();
    await page.getByRole("status").filter({ hasText: "Version 2 is now the primary." }).waitFor();
    await traffic.getByRole("img", { name: "Answered traffic: version 2 primary 100%" }).waitFor();
    expect((await rowTexts(traffic.locator("tbody tr"))).map((cells) => cells.slice(0, 3))).toEqual([["Version 2", "primary", "100%"]]);
    expect(await page.getByRole("region", { name: /^Shadow comparison:/ }).count()).toBe(0);
    // The comparison the promote was decided on stays readable.
    const saved = page.getByRole("region", { name: "Shadow comparisons" });
    await saved.getByRole("cell", { name: "v3 against v1" }).waitFor();
    await history.getByRole("cell", { name: "promote" }).first().waitFor();
    expect((await rowTexts(history.locator("tbody tr"))).slice(0, 3).map((cells) => cells.slice(1, 4))).toEqual([
      ["shadow", "v3 → none", "promote"],
      ["canary", "v2 → none", "promote"],
      ["primary", "v1 → v2", "promote"],
    ]);
    expect((await client.serving.getDeployment(DEPLOYMENT)).primary_version).toBe("2");

    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows the server's refusal in plain words when there is nothing to roll back to", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/deployments/churn-pinned");
    await page.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Roll back now" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Rollback failed." });
    await alert.waitFor();
    expect(await alert.textContent()).toBe("Rollback failed. Deployment 'churn-pinned' has no previous primary version to roll back to (it has served only version 3).");
    await context.close();
  });

  it("shows the monitor with its drifted feature flagged, the score chart and the alert", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/monitors");
    const list = page.getByRole("table");
    await list.getByText("1 drifted").waitFor();
    const [row] = await rowTexts(list.locator("tbody tr"));
    expect(row?.slice(0, 2)).toEqual([MONITOR, DEPLOYMENT]);
    expect(row?.slice(3, 5)).toEqual(["last 40 rows", "every 1 h"]);
    expect(row?.slice(6)).toEqual(["1 drifted", "1 failed", "Data testsDrift"]);

    await list.getByRole("link", { name: MONITOR }).click();
    const features = page.getByRole("region", { name: "Drift per feature" });
    await features.getByRole("table").waitFor();
    const cells = await rowTexts(features.locator("tbody tr"));
    expect(cells.map((c) => [c[0], c[1], c[5]])).toEqual([
      ["x_1", "ks", "drifted"],
      ["x_0", "ks", "ok"],
      ["x_2", "ks", "ok"],
      ["x_3", "ks", "ok"],
    ]);
    // K-S on identical columns: p = 1; the moved column's p-value is far below its threshold.
    expect(cells.map((c) => c[4])).toEqual(["p < 0.05", "p < 0.05", "p < 0.05", "p < 0.05"]);
    expect(Number(cells[0]?.[3])).toBeLessThan(1e-6);
    expect(cells.slice(1).map((c) => c[3])).toEqual(["1", "1", "1"]);

    const chart = page.getByRole("img", { name: `Drift p-value (drift below threshold) of 4 features over ${seededRuns} runs; thresholds 0.05` });
    await chart.locator("canvas").waitFor();
    // Most drifting first: the drifted x_1, then the others (all p = 1) by name.
    expect(await chart.locator(".u-legend .u-series .u-label").allTextContents()).toEqual(["Run", "x_1", "x_0", "x_2", "x_3", "threshold 0.05"]);
    expect(await page.getByText("Features: all 4").count()).toBe(1);

    const tests = page.getByRole("region", { name: "Failed data tests" });
    expect(await tests.getByText(/expectations passed\.$/).textContent()).toBe("0 of 1 expectations passed.");
    expect(await rowTexts(tests.locator("tbody tr"))).toEqual([
      ["expect_column_values_to_be_between", "x_1", "39", 'expect_column_values_to_be_between on column "x_1" failed: 39 of 40 non-null values (97.5%) fail the bound [-5, 5]'],
    ]);

    // The alerts are the server's (monitors/alerts): both checks went from passing to failing on the moved traffic.
    const alerts = page.getByRole("region", { name: "Alerts" });
    await alerts.getByRole("list", { name: "Open alerts" }).waitFor();
    expect(await alerts.getByRole("list", { name: "Open alerts" }).textContent()).toMatch(
      /^open Drift failing since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dopen Data tests failing since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    expect((await rowTexts(alerts.locator("tbody tr"))).map((c) => c.slice(1))).toEqual([
      ["alert", "Data tests", "success_share 0 (threshold 1)"],
      ["alert", "Drift", "share_drifted 0.25 (threshold 0.2)"],
    ]);
    const shot = screenshotPath("monitor");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    // The period is in the URL, so a link reproduces the view.
    await page.getByLabel("Period").selectOption("all");
    expect(new URL(page.url()).search).toBe("?range=all");

    await page.getByRole("button", { name: "Run now" }).click();
    const result = page.getByRole("region", { name: /^Run at .*: checks failed$/ });
    await result.waitFor();
    expect(await result.getByRole("listitem").allTextContents()).toEqual([
      expect.stringMatching(/^failed Drift: dataset drift: 1 of 4 columns drifted \(share 0\.2500 >= 0\.2\): x_1 \(ks /),
      "failed Data tests: data tests failed: expect_column_values_to_be_between on 'x_1'",
    ]);
    await page.getByRole("img", { name: new RegExp(`of 4 features over ${seededRuns + 1} runs`) }).waitFor();

    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
