import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../src/sdk/client.js";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

/**
 * Every main page checked by axe-core (Deque's accessibility engine, the one behind Lighthouse's audit) in Chromium:
 * WCAG 2.1 A and AA rules, including accessible names of controls, labels, landmarks, headings and colour
 * contrast. A violation of serious or critical impact fails the test, listed with the elements it concerns.
 */
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let server: TempServer;
let browser: TestBrowser;
const paths: Record<string, string> = {};

const seed = async (): Promise<void> => {
  const cairn = new CairnClient({ trackingUri: server.url, user: "ada" });
  const experimentId = await cairn.experiments.create({ name: "churn-experiments" });
  const runIds: string[] = [];
  for (const [i, lr] of ["0.1", "0.01"].entries()) {
    const run = await cairn.runs.create({ experimentId, runName: `train-${i}` });
    const runId = run.info.run_id;
    runIds.push(runId);
    const now = Date.now();
    await cairn.runs.logBatch(runId, {
      params: [{ key: "learning_rate", value: lr }],
      metrics: Array.from({ length: 10 }, (_, step) => ({ key: "loss", value: 1 / (step + 1 + i), timestamp: now + step, step })),
      tags: [{ key: "team", value: "retention" }],
    });
    await cairn.artifacts.uploadStream(runId, "notes.txt", Readable.from([Buffer.from("trained on November data\n")]));
    await cairn.runs.update(runId, { status: "FINISHED", endTime: now + 60_000 });
  }
  const run = await cairn.runs.get(runIds[0] as string);
  await cairn.registry.createModel({ name: "churn", description: "Predicts churn." });
  await cairn.registry.createVersion({ name: "churn", source: `${run.info.artifact_uri}`, runId: runIds[0] as string });
  await cairn.registry.setAlias("churn", "champion", "1");
  paths.experiments = "/experiments";
  paths.runs = `/experiments/${experimentId}?col=metrics.loss&col=params.learning_rate`;
  paths.runOverview = `/experiments/${experimentId}/runs/${runIds[0]}`;
  paths.runMetrics = `/experiments/${experimentId}/runs/${runIds[0]}?tab=metrics`;
  paths.runArtifacts = `/experiments/${experimentId}/runs/${runIds[0]}?tab=artifacts&artifact=notes.txt`;
  paths.compare = `/compare?run=${runIds[0]}&run=${runIds[1]}`;
  paths.models = "/models";
  paths.model = "/models/churn";
  paths.version = "/models/churn/versions/1?tab=lineage";
  paths.deployments = "/deployments";
  paths.monitors = "/monitors";
};

beforeAll(async () => {
  server = await startTempServer("cairn-e2e-a11y-");
  browser = await launchBrowser();
  await seed();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("accessibility of the main pages (axe-core, WCAG 2.1 A/AA)", () => {
  it.each([
    "experiments",
    "runs",
    "runOverview",
    "runMetrics",
    "runArtifacts",
    "compare",
    "models",
    "model",
    "version",
    "deployments",
    "monitors",
  ])("%s has no serious or critical violation", async (page) => {
    const recording = await browser.newPage(server.url);
    try {
      await recording.page.goto(paths[page] as string);
      await recording.page.getByRole("main").getByRole("heading", { level: 1 }).first().waitFor();
      // Let the page's data arrive (no request in flight for a moment) before judging it.
      await recording.page.waitForLoadState("networkidle");
      // Evaluated through the DevTools protocol: the page's own CSP (script-src 'self') would refuse a script tag.
      await recording.page.evaluate(AXE_SOURCE);
      const violations = (await recording.page.evaluate(
        "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)",
      )) as AxeViolation[];
      const serious = violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 5).join(", ")}`);
      expect(serious).toEqual([]);
    } finally {
      await recording.context.close();
    }
  });
});
