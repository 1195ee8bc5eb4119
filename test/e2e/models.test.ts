import { Readable } from "node:stream";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { CairnClient } from "../../src/sdk/client.js";
import { launchBrowser, screenshotPath, type RecordingPage, type TestBrowser } from "./support/browser.js";

/** The MLmodel of the seeded versions, as mlflow.sklearn.log_model writes it (signature lists are JSON text). */
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.7
  sklearn:
    sklearn_version: 1.4.0
signature:
  inputs: '[{"type": "double", "name": "tenure_months", "required": true}, {"type": "double", "name": "monthly_charges", "required": true}, {"type": "string", "name": "plan", "required": true}]'
  outputs: '[{"type": "long", "name": "churned", "required": true}]'
`;

interface Seeded {
  experimentId: string;
  runId: string;
}

/**
 * Seeds the registry through the API as a team would: a training run with params, metrics, a dataset input and its
 * code, model files with an MLmodel under the run's artifact root, a model with two versions of that run, the alias
 * champion set to version 1 then moved to 2, a promotion rule on alias:production, and a model card.
 */
const seed = async (server: TempServer): Promise<Seeded> => {
  const cairn = new CairnClient({ trackingUri: server.url, user: "ada" });
  const experimentId = await cairn.experiments.create({ name: "churn-experiments" });
  const run = await cairn.runs.create({
    experimentId,
    runName: "train-xgb",
    tags: [
      { key: "mlflow.source.name", value: "train.py" },
      { key: "mlflow.source.git.commit", value: "1a2b3c4d5e6f7a8b9c0d" },
    ],
  });
  const runId = run.info.run_id;
  await cairn.runs.logBatch(runId, {
    params: [
      { key: "max_depth", value: "6" },
      { key: "learning_rate", value: "0.1" },
    ],
    metrics: [
      { key: "accuracy", value: 0.934, timestamp: Date.now(), step: 10 },
      { key: "auc", value: 0.962, timestamp: Date.now(), step: 10 },
    ],
  });
  await cairn.runs.logInputs(runId, [
    {
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: { name: "customers-2026-11", digest: "7f3a9c1e", source_type: "local", source: '{"uri": "customers.parquet"}' },
    },
  ]);
  await cairn.artifacts.uploadStream(runId, "model/MLmodel", Readable.from([Buffer.from(MLMODEL)]));
  await cairn.runs.update(runId, { status: "FINISHED", endTime: Date.now() });
  const source = `${run.info.artifact_uri}/model`;

  await cairn.registry.createModel({ name: "churn", description: "Predicts which accounts churn in the next 30 days.", tags: { team: "retention" } });
  await cairn.registry.createVersion({ name: "churn", source, runId, description: "First xgboost model" });
  await cairn.registry.createVersion({ name: "churn", source, runId, description: "Retrained on November data", tags: { validation_status: "passed" } });
  await cairn.registry.setAlias("churn", "champion", "1");
  await cairn.registry.setAlias("churn", "champion", "2");
  await cairn.governance.setRule({ name: "churn", target: "alias:production", requiredTags: { validation_status: "passed" }, requiredApprovals: 1 });
  await cairn.governance.setCard("churn", "2", {
    description: "Gradient-boosted trees predicting churn in the next 30 days.",
    intended_use: "Ranking accounts for the retention team; not for pricing.",
    training_data: "customers-2026-11, 1.2M rows",
    owners: ["ada", "bob"],
  });

  // A second model, so the list and its search have something to tell apart.
  await cairn.registry.createModel({ name: "fraud-detector", description: "Scores card transactions for fraud." });
  await cairn.registry.createVersion({ name: "fraud-detector", source, runId });
  await cairn.registry.setAlias("fraud-detector", "staging", "1");
  return { experimentId, runId };
};

const rowTexts = async (page: Page, tableName: string): Promise<string[]> =>
  (await page.getByRole("table", { name: tableName }).getByRole("row").allInnerTexts()).slice(1).map((text) => text.replace(/\s+/g, " ").trim());

describe("models UI in Chromium against a seeded Cairn server", () => {
  let server: TempServer;
  let browser: TestBrowser;
  let seeded: Seeded;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-models-");
    seeded = await seed(server);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** No request left the server's origin, and the page logged no error but those a test expects (a refused write). */
  const expectCleanPage = (recording: RecordingPage, expectedErrors: string[] = []): void => {
    const origin = new URL(server.url).origin;
    expect(recording.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(recording.pageErrors).toEqual(expectedErrors);
  };

  it("lists the models with their champion alias, and narrows the list by name", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models");
    const champion = page.getByRole("link", { name: "champion → v2" });
    await champion.waitFor();
    expect(await champion.getAttribute("href")).toBe("/models/churn/versions/2");
    expect(await page.getByRole("link", { name: "staging → v1" }).getAttribute("href")).toBe("/models/fraud-detector/versions/1");
    const shot = screenshotPath("models");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    await page.getByLabel("Search models by name").fill("FRAUD");
    await page.waitForURL((url) => url.searchParams.get("q") === "FRAUD");
    await page.getByRole("link", { name: "churn", exact: true }).waitFor({ state: "detached" });
    // The old rows can go before the filtered ones arrive (a loading state between them): wait for the answer.
    await page.getByRole("link", { name: "fraud-detector" }).first().waitFor();
    expect(await page.getByRole("link", { name: "fraud-detector" }).count()).toBe(1);
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("shows the model's versions with the alias on version 2 and source-run links", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn");
    await page.getByRole("table", { name: "Versions" }).waitFor();
    expect(await page.getByRole("tab", { name: "Versions" }).getAttribute("aria-selected")).toBe("true");
    const runHref = `/experiments/${seeded.experimentId}/runs/${seeded.runId}`;
    await page.getByRole("link", { name: "train-xgb" }).first().waitFor();
    expect(await rowTexts(page, "Versions")).toEqual([
      expect.stringMatching(/^Version 2 @champion None ready train-xgb \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Retrained on November data$/),
      expect.stringMatching(/^Version 1 — None ready train-xgb \d{4}-\d\d-\d\d \d\d:\d\d:\d\d First xgboost model$/),
    ]);
    const runLinks = await page.getByRole("link", { name: "train-xgb" }).all();
    expect(await Promise.all(runLinks.map((link) => link.getAttribute("href")))).toEqual([runHref, runHref]);
    const shot = screenshotPath("model");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("lists the alias history: champion created on version 1, then moved to version 2", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn?tab=aliases");
    await page.getByRole("table", { name: "Alias history" }).waitFor();
    expect((await rowTexts(page, "Alias history")).map((row) => row.replace(/^\S+ \S+ /, "").replace(/ \S+$/, ""))).toEqual([
      "@champion (new) Version 1 ada (unverified)",
      "@champion Version 1 Version 2 ada (unverified)",
    ]);
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("draws the version's lineage with the run linked to the version", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn/versions/2?tab=lineage");
    const graph = page.getByRole("group", { name: "Lineage graph, upstream on the left" });
    const runNode = graph.getByRole("link", { name: "Run train-xgb" });
    await runNode.waitFor();
    expect(await runNode.getAttribute("href")).toBe(`/experiments/${seeded.experimentId}/runs/${seeded.runId}`);
    expect(await graph.getByRole("link", { name: "This version churn v2: Model version churn v2" }).count()).toBe(1);
    expect(await graph.getByRole("img", { name: "Dataset customers-2026-11" }).count()).toBe(1);
    expect(await page.getByRole("list", { name: "Lineage edges" }).getByRole("listitem").allInnerTexts()).toEqual([
      "Model version churn v2 is a version of Registered model churn",
      "Run train-xgb was logged in Experiment churn-experiments",
      "Run train-xgb used Dataset customers-2026-11",
      "Run train-xgb was built from Code train.py @ 1a2b3c4d5e6f",
      "Run train-xgb produced Model version churn v2",
    ]);
    // Keyboard: Tab reaches the nodes; Enter on the run node opens the run's page.
    await runNode.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/experiments/${seeded.experimentId}/runs/${seeded.runId}`);
    await page.goBack();
    await runNode.waitFor();
    const shot = screenshotPath("model-version-lineage");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("shows the version's signature, model card and the promotion check for a target in the URL", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn/versions/2");
    await page.getByRole("table", { name: "Inputs" }).waitFor();
    expect(await rowTexts(page, "Inputs")).toEqual(["tenure_months double — yes", "monthly_charges double — yes", "plan string — yes"]);
    await page.getByRole("tab", { name: "Model card" }).click();
    expect(await page.getByRole("region", { name: "Intended use" }).innerText()).toBe("Intended use\n\nRanking accounts for the retention team; not for pricing.");
    expect(await page.getByRole("region", { name: "Evaluation metrics" }).getByRole("row").allInnerTexts()).toEqual([
      "Metric\tValue\tStep",
      "accuracy\t0.934\t10",
      "auc\t0.962\t10",
    ]);
    await page.goto("/models/churn/versions/1?tab=approvals&target=alias:production");
    const conditions = page.getByRole("list", { name: "Rule conditions" }).getByRole("listitem");
    await conditions.first().waitFor();
    expect((await conditions.allInnerTexts()).map((text) => text.replace(/\s+/g, " "))).toEqual([
      "fails Tag validation_status = passed required tag validation_status = passed is missing",
      "fails 1 approval 1 approval needed, 0 given",
    ]);
    await recording.context.close();
    expectCleanPage(recording);
  });

  it("moves an alias from the UI and shows it at once; a refusal is shown in the server's words", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn?tab=aliases");
    await page.getByRole("table", { name: "Current aliases" }).waitFor();

    await page.getByLabel("Alias", { exact: true }).fill("production");
    await page.getByLabel("Version", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Set alias" }).click();
    expect(await page.getByRole("alert").innerText()).toBe(
      "Could not point alias production to version 2: Promotion of model 'churn' version 2 to alias:production refused: 1 approval needed, 0 given.",
    );

    await page.getByLabel("Alias", { exact: true }).fill("champion");
    await page.getByLabel("Version", { exact: true }).fill("1");
    await page.getByRole("button", { name: "Set alias" }).click();
    await page.getByText("Alias champion now points to version 1.").waitFor();
    await page.getByRole("table", { name: "Alias history" }).getByRole("row").nth(3).waitFor();
    expect(await rowTexts(page, "Current aliases")).toEqual(["@champion Version 1 Delete"]);
    expect((await rowTexts(page, "Alias history")).at(-1)).toMatch(/@champion Version 2 Version 1 anonymous \(unverified\)/);

    await page.getByRole("tab", { name: "Versions" }).click();
    await page.getByRole("table", { name: "Versions" }).waitFor();
    expect((await rowTexts(page, "Versions")).map((row) => row.split(" ").slice(0, 3).join(" "))).toEqual(["Version 2 —", "Version 1 @champion"]);
    await page.getByRole("link", { name: "Models" }).first().click();
    await page.getByRole("link", { name: "champion → v1" }).waitFor();
    await recording.context.close();
    // Chromium logs the refused POST itself; nothing else may appear.
    expectCleanPage(recording, ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  });

  it("approves version 2 for alias:production from the UI: the check passes at once and the approval is listed; anonymous approvals are refused", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn/versions/2?tab=approvals&target=alias:production");
    const conditions = page.getByRole("list", { name: "Rule conditions" }).getByRole("listitem");
    const conditionTexts = async (): Promise<string[]> => (await conditions.allInnerTexts()).map((text) => text.replace(/\s+/g, " "));
    await conditions.first().waitFor();
    expect(await conditionTexts()).toEqual(["passes Tag validation_status = passed", "fails 1 approval 1 approval needed, 0 given"]);
    const approve = page.getByRole("button", { name: "Approve version 2 for alias @production" });
    const confirm = page.getByRole("button", { name: "Confirm: approve version 2 for alias @production" });

    // The browser declares nobody yet: the server refuses, and the page says so in the server's words.
    await approve.click();
    await confirm.click();
    expect(await page.getByRole("alert").innerText()).toBe(
      "Could not approve version 2 for alias @production: Anonymous requests cannot approve a model version: declare who you are (the x-cairn-user header or basic auth).",
    );

    // bob declares himself in the top bar; from then on every request of the page carries his name.
    await page.getByRole("button", { name: "Set your name" }).click();
    await page.getByLabel("Your name").fill("bob");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Acting as bob (unverified)").waitFor();
    await page.getByLabel("Comment (optional)").fill("Checked the November evaluation");
    await approve.click();
    await confirm.click();
    await page.getByText("Approved version 2 for alias @production as bob (unverified).").waitFor();
    await page.getByText("Promotion of version 2 to alias @production: allowed").waitFor();
    expect(await conditionTexts()).toEqual(["passes Tag validation_status = passed", "passes 1 approval"]);
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await rowTexts(page, "Approvals")).toEqual([
      // The approval is bob's own and standing: the row offers him Revoke.
      expect.stringMatching(/^alias @production bob \(unverified\) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Checked the November evaluation Standing Revoke$/),
    ]);
    const shot = screenshotPath("model-version-approvals");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    // Approving twice changes nothing on the server: the first approval stands, and the page says so.
    await approve.click();
    await confirm.click();
    await page.getByText(/^bob \(unverified\) had already approved version 2 for alias @production \(.+\); that approval stands and counts once\.$/).waitFor();
    expect(await rowTexts(page, "Approvals")).toHaveLength(1);
    await recording.context.close();
    expectCleanPage(recording, ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]);
  });

  it("lists the version's own audit trail with exact actions, and the alias moves onto and off it", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto("/models/churn/versions/2?tab=audit");
    await page.getByRole("table", { name: "Audit events" }).waitFor();
    expect(await page.getByRole("tab", { name: "Audit" }).getAttribute("aria-selected")).toBe("true");
    // Columns: #, time, actor, action, before, after; the sequence numbers and times depend on the seeding.
    const events = (await rowTexts(page, "Audit events")).map((row) => row.replace(/^\d+ \S+ \S+ /, ""));
    expect(events.map((row) => row.split(" ").slice(0, 3).join(" "))).toEqual([
      "ada (unverified) registry.model_version.create",
      "ada (unverified) governance.model_card.set",
      "anonymous (unverified) registry.promotion.refuse",
      "bob (unverified) governance.approval.create",
    ]);
    expect(events[3]).toBe('bob (unverified) governance.approval.create — {"target":"alias:production","actor":"bob","comment":"Checked the November evaluation"}');
    await page.getByRole("table", { name: "Alias moves" }).waitFor();
    expect((await rowTexts(page, "Alias moves")).map((row) => row.replace(/^\S+ \S+ /, ""))).toEqual([
      "ada (unverified) registry.alias.set @champion Version 1 Version 2 (this one)",
      "anonymous (unverified) registry.alias.set @champion Version 2 (this one) Version 1",
    ]);
    const shot = screenshotPath("model-version-audit");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await recording.context.close();
    expectCleanPage(recording);
  });
});
