import { deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Metric } from "../../src/protocol/mlflow/entities.js";
import { CairnClient } from "../../src/sdk/client.js";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, screenshotPath, type RecordingPage, type TestBrowser } from "./support/browser.js";

/** A valid PNG of width x height pixels (RGB, a diagonal gradient), built from bytes: signature, IHDR, IDAT, IEND. */
const tinyPng = (width: number, height: number): Buffer => {
  const crcTable = Array.from({ length: 256 }, (_unused, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, truecolour, deflate, no filter method, no interlace
  const rows: number[] = [];
  for (let y = 0; y < height; y += 1) {
    rows.push(0); // filter type "none" for each scanline
    for (let x = 0; x < width; x += 1) rows.push((x * 255) / width, (y * 255) / height, 160);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
};

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.4.2
mlflow_version: 2.14.1
model_uuid: 5c1f0e0e3d8a4d42a3a0b1d7c0a1f2e3
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "double", "name": "sepal_width", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
utc_time_created: '2024-06-01 12:00:00.000000'
`;

const CSV = ["epoch,accuracy,label", "1,0.5625,cat", '2,0.8125,"dog, small"', "3,0.875,bird", ""].join("\n");
const JSON_ARTIFACT = JSON.stringify({ best_epoch: 42, classes: ["cat", "dog", "bird"], accuracy: { top1: 0.875, top5: 0.99 } });
const NOTES = "Training notes\n==============\nwarmup 5 epochs, cosine decay afterwards\n";

const STEPS = 50;
/** A training curve: falls from about 2.3 towards `floor`, with a small deterministic wobble. */
const lossCurve = (floor: number, start: number): Metric[] =>
  Array.from({ length: STEPS }, (_unused, step) => ({
    key: "loss",
    value: Number((floor + 2.2 * Math.exp(-step / 12) + 0.05 * Math.sin(step * 1.7)).toFixed(4)),
    timestamp: start + step * 1500,
    step,
  }));
const accuracyCurve = (ceiling: number, start: number): Metric[] =>
  Array.from({ length: STEPS }, (_unused, step) => ({
    key: "accuracy",
    value: Number((ceiling - 0.6 * Math.exp(-step / 10)).toFixed(4)),
    timestamp: start + step * 1500,
    step,
  }));

interface Seeded {
  experimentId: string;
  baselineId: string;
  tunedId: string;
  sweep: { experimentId: string; runId: string };
}

/** The many-metrics run: one gradient norm per layer, a few steps each. Keys sort in layer order. */
const SWEEP_METRICS = 60;
const sweepKey = (layer: number): string => `layer_${String(layer).padStart(2, "0")}.grad_norm`;

const seedSweep = async (client: CairnClient, start: number): Promise<{ experimentId: string; runId: string }> => {
  const experimentId = await client.experiments.create({ name: "layer-sweep" });
  const run = await client.runs.create({ experimentId, runName: "grad-norms", startTime: start } as Parameters<typeof client.runs.create>[0]);
  const metrics: Metric[] = [];
  for (let layer = 0; layer < SWEEP_METRICS; layer += 1) {
    for (let step = 0; step < 4; step += 1) metrics.push({ key: sweepKey(layer), value: Number((1 / (1 + layer) + 0.1 * step).toFixed(4)), timestamp: start + step * 1000, step });
  }
  await client.runs.logBatch(run.info.run_id, { metrics });
  await client.runs.update(run.info.run_id, { status: "FINISHED", endTime: start + 4000 });
  return { experimentId, runId: run.info.run_id };
};

const seed = async (server: TempServer): Promise<Seeded> => {
  const client = new CairnClient({ trackingUri: server.url });
  const experimentId = await client.experiments.create({ name: "image-classifier" });
  const start = Date.UTC(2024, 5, 1, 9, 30, 0);
  const create = async (name: string, lr: string, floor: number, ceiling: number): Promise<string> => {
    const run = await client.runs.create({
      experimentId,
      runName: name,
      userId: "ada",
      startTime: start,
      tags: [
        { key: "team", value: "vision" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
        { key: "mlflow.source.git.commit", value: "9f2c1e7" },
      ],
    } as Parameters<typeof client.runs.create>[0]);
    const runId = run.info.run_id;
    await client.runs.logBatch(runId, {
      params: [
        { key: "lr", value: lr },
        { key: "epochs", value: "50" },
        { key: "optimizer", value: "adam" },
        { key: "batch_size", value: "64" },
      ],
      metrics: [...lossCurve(floor, start), ...accuracyCurve(ceiling, start)],
    });
    await client.runs.logInputs(runId, [
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: { name: "cifar10-train", digest: "a1b2c3d4", source_type: "local", source: '{"uri": "/data/cifar10/train.parquet"}' },
      },
    ]);
    await client.runs.update(runId, { status: "FINISHED", endTime: start + STEPS * 1500 });
    return runId;
  };
  const baselineId = await create("resnet-baseline", "0.01", 0.35, 0.86);
  const tunedId = await create("resnet-tuned", "0.003", 0.2, 0.91);

  // Artifacts go through the proxied artifact API, at the path the run's artifact_uri names.
  const { run } = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${baselineId}`)).json()) as { run: { info: { artifact_uri: string } } };
  expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${baselineId}/artifacts`);
  const upload = async (path: string, body: string | Buffer): Promise<void> => {
    const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${baselineId}/artifacts/${path}`, { method: "PUT", body });
    expect(response.status).toBe(200);
  };
  await upload("notes.txt", NOTES);
  await upload("metrics.json", JSON_ARTIFACT);
  await upload("predictions.csv", CSV);
  await upload("plot.png", tinyPng(48, 32));
  await upload("model/MLmodel", MLMODEL);
  return { experimentId, baselineId, tunedId, sweep: await seedSweep(client, start) };
};

const legendLabels = async (page: Page, chartName: string): Promise<string[]> =>
  page.getByRole("figure", { name: chartName }).locator(".u-legend .u-series .u-label").allInnerTexts();

describe("run page and run comparison in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;
  let seeded: Seeded;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-run-");
    seeded = await seed(server);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const expectCleanSession = (recording: RecordingPage): void => {
    const origin = new URL(server.url).origin;
    expect(recording.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(recording.pageErrors).toEqual([]);
  };

  it("shows a run's params, metrics, tags and dataset, then its metric charts", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto(`/experiments/${seeded.experimentId}/runs/${seeded.baselineId}`);
    await page.getByRole("heading", { level: 1, name: "resnet-baseline" }).waitFor();

    const params = page.getByRole("table", { name: "Parameters" });
    expect(await params.getByRole("row").allInnerTexts()).toEqual(["Parameter\tValue", "batch_size\t64", "epochs\t50", "lr\t0.01", "optimizer\tadam"]);
    const metrics = page.getByRole("table", { name: "Latest metric values" });
    expect(await metrics.getByRole("rowheader").allInnerTexts()).toEqual(["accuracy", "loss"]);
    const lastLoss = lossCurve(0.35, 0).at(-1)?.value;
    expect(await metrics.getByRole("link", { name: `loss: ${lastLoss}, show chart` }).innerText()).toBe(String(lastLoss));
    expect(await page.getByRole("table", { name: "Tags" }).getByRole("row").allInnerTexts()).toEqual(["Tag\tValue", "team\tvision"]);
    const datasets = page.getByRole("table", { name: "Datasets the run used" });
    expect(await datasets.getByRole("row").nth(1).innerText()).toBe('cifar10-train\ttraining\ta1b2c3d4\tlocal\t{"uri": "/data/cifar10/train.parquet"}');
    expect(await page.getByText("train.py", { exact: true }).count()).toBe(1);
    const shot = screenshotPath("run-overview");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    // The latest loss links to its chart.
    await metrics.getByRole("link", { name: /^loss:/ }).click();
    expect(new URL(page.url()).search).toBe("?tab=metrics&metric=loss");
    expect(await page.getByRole("tab", { name: "Metrics" }).getAttribute("aria-selected")).toBe("true");
    await page.getByRole("figure", { name: "loss chart" }).locator("canvas").waitFor();
    expect(await legendLabels(page, "loss chart")).toEqual(["Step", "resnet-baseline"]);
    expect(await page.getByRole("figure", { name: "accuracy chart" }).count()).toBe(0);
    await page.getByText(`${STEPS} points`, { exact: true }).waitFor();

    // Every metric, relative time, log scale: all in the URL.
    await page.getByText("Metrics shown: 1 of 2").click();
    await page.getByRole("button", { name: "Show all" }).click();
    await page.getByLabel("X axis").selectOption("relative");
    await page.getByLabel("Log scale").check();
    expect(new URL(page.url()).search).toBe("?tab=metrics&x=relative&log=1");
    await page.getByRole("figure", { name: "accuracy chart" }).locator("canvas").waitFor();
    expect(await legendLabels(page, "accuracy chart")).toEqual(["Relative time (s)", "resnet-baseline"]);
    await page.getByText("Metrics shown: all 2").click();

    // A link with smoothing opens with the slider where the link put it.
    await page.goto(`/experiments/${seeded.experimentId}/runs/${seeded.baselineId}?tab=metrics&smooth=0.6`);
    await page.getByRole("figure", { name: "loss chart" }).locator("canvas").waitFor();
    // Smoothed, each run's raw curve is drawn faintly behind, labelled "(raw)".
    expect(await legendLabels(page, "loss chart")).toEqual(["Step", "resnet-baseline (raw)", "resnet-baseline"]);
    expect(await page.getByLabel("Smoothing").inputValue()).toBe("0.6");
    expect(await page.locator(".chart-options output").innerText()).toBe("0.60");
    const metricsShot = screenshotPath("run-metrics");
    if (metricsShot) await page.screenshot({ path: metricsShot, fullPage: false });
    expectCleanSession(recording);
    await recording.context.close();
  });

  it("loads the charts of a run with 60 metrics as they near the viewport, not all at once", async () => {
    const recording = await browser.newPage(server.url);
    const { page, requests } = recording;
    const historyRequests = (): string[] => requests.filter((url) => new URL(url).pathname === "/ajax-api/2.0/mlflow/metrics/get-history").map((url) => new URL(url).searchParams.get("metric_key") ?? "");
    await page.goto(`/experiments/${seeded.sweep.experimentId}/runs/${seeded.sweep.runId}?tab=metrics`);
    await page.getByRole("figure", { name: `${sweepKey(0)} chart` }).locator("canvas").waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("region", { name: /^Metric / }).count()).toBe(SWEEP_METRICS);
    const layout = (await page.evaluate(
      "[...document.querySelectorAll('section.chart-card')].map((card) => { const box = card.getBoundingClientRect(); return { top: box.top, left: box.left, height: box.height }; })",
    )) as { top: number; left: number; height: number }[];
    // Every card has its fixed height, loaded or not; at 1440 px wide they sit in 2 columns, a row every 360 px
    // (348 px card, 12 px gap), the first row 225 px down. Near the viewport means within one screen (900 px) below
    // it: rows starting at 225, 585, 945, 1305 and 1665 px, the sixth (2025 px) is beyond. So 5 rows of 2 charts.
    expect(new Set(layout.map((card) => card.height))).toEqual(new Set([348]));
    expect(new Set(layout.map((card) => card.left)).size).toBe(2);
    expect(layout.filter((card) => card.top < 2 * 900)).toHaveLength(10);
    expect(historyRequests()).toHaveLength(10);
    expect(historyRequests().sort()).toEqual(Array.from({ length: 10 }, (_unused, layer) => sweepKey(layer)));
    expect(await page.getByRole("figure").count()).toBe(10);
    const scrollHeightBefore = (await page.evaluate("document.documentElement.scrollHeight")) as number;

    // Scrolled to the bottom, the last metric's chart loads, once; the page keeps its height.
    await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)");
    await page.getByRole("figure", { name: `${sweepKey(SWEEP_METRICS - 1)} chart` }).locator("canvas").waitFor();
    expect(historyRequests().filter((key) => key === sweepKey(SWEEP_METRICS - 1))).toEqual([sweepKey(SWEEP_METRICS - 1)]);
    expect(await page.evaluate("document.documentElement.scrollHeight")).toBe(scrollHeightBefore);
    expectCleanSession(recording);
    await recording.context.close();
  });

  it("previews text, JSON, CSV, an image and an MLmodel file from the artifact tree", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto(`/experiments/${seeded.experimentId}/runs/${seeded.baselineId}?tab=artifacts`);
    const tree = page.getByRole("navigation", { name: "Artifact files" });
    await tree.getByRole("button", { name: /^notes\.txt/ }).click();
    expect(await page.getByLabel("notes.txt contents").textContent()).toBe(NOTES);
    expect(new URL(page.url()).searchParams.get("artifact")).toBe("notes.txt");

    await tree.getByRole("button", { name: /^metrics\.json/ }).click();
    expect(await page.getByLabel("metrics.json contents").textContent()).toBe(JSON.stringify(JSON.parse(JSON_ARTIFACT), null, 2));

    await tree.getByRole("button", { name: /^predictions\.csv/ }).click();
    const table = page.getByRole("table", { name: "predictions.csv" });
    await table.waitFor();
    expect(await table.getByRole("columnheader").allInnerTexts()).toEqual(["epoch", "accuracy", "label"]);
    expect(await table.getByRole("row").nth(2).getByRole("cell").allInnerTexts()).toEqual(["2", "0.8125", "dog, small"]);
    expect(await table.getByRole("row").count()).toBe(4);

    await tree.getByRole("button", { name: /^plot\.png/ }).click();
    const image = page.getByRole("img", { name: "plot.png" });
    await image.waitFor();
    // Page-side code as strings: the node tsconfig has no DOM types. Polled from here: waitForFunction polls a string
    // predicate by eval inside the page, which the UI's Content-Security-Policy (script-src 'self') refuses whenever
    // the image is not loaded at the first look (a CI failure).
    await expect.poll(() => page.evaluate("document.querySelector('img.artifact-image')?.complete === true"), { timeout: 10_000 }).toBe(true);
    expect(await page.evaluate("[...document.querySelectorAll('img.artifact-image')].map((img) => [img.naturalWidth, img.naturalHeight])")).toEqual([[48, 32]]);

    const folder = tree.getByRole("button", { name: "model/" });
    expect(await folder.getAttribute("aria-expanded")).toBe("false");
    await folder.click();
    expect(new URL(page.url()).searchParams.getAll("open")).toEqual(["model"]);
    await tree.getByRole("button", { name: /^MLmodel/ }).click();
    expect(new URL(page.url()).searchParams.get("artifact")).toBe("model/MLmodel");
    const flavors = page.getByRole("list", { name: "Flavors" });
    await flavors.waitFor();
    expect(await flavors.locator(".badge").allInnerTexts()).toEqual(["python_function", "sklearn"]);
    const inputs = page.getByRole("table", { name: "Inputs" });
    expect(await inputs.getByRole("row").allInnerTexts()).toEqual(["Name\tType\tShape\tRequired", "sepal_length\tdouble\t—\tyes", "sepal_width\tdouble\t—\tyes"]);
    expect(await page.getByRole("table", { name: "Outputs" }).getByRole("row").nth(1).innerText()).toBe("#0\ttensor of int64\t(-1)\tyes");
    const shot = screenshotPath("run-artifacts");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    // A reload of the link shows the same file, its folder open.
    await page.reload();
    await page.getByRole("list", { name: "Flavors" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Artifact files" }).getByRole("button", { name: "model/" }).getAttribute("aria-expanded")).toBe("true");

    // A link with an open folder and no file shows the folder open; closing it writes the URL without it.
    await page.goto(`/experiments/${seeded.experimentId}/runs/${seeded.baselineId}?tab=artifacts&open=model`);
    const linkedTree = page.getByRole("navigation", { name: "Artifact files" });
    await linkedTree.getByRole("button", { name: /^MLmodel/ }).waitFor();
    await page.getByText("Choose a file to preview it.").waitFor();
    await linkedTree.getByRole("button", { name: "model/" }).click();
    expect(new URL(page.url()).search).toBe("?tab=artifacts");
    expect(await linkedTree.getByRole("button", { name: /^MLmodel/ }).count()).toBe(0);
    expectCleanSession(recording);
    await recording.context.close();
  });

  it("compares two runs: both curves, the differing param highlighted, scatter and parallel coordinates", async () => {
    const recording = await browser.newPage(server.url);
    const { page } = recording;
    await page.goto(`/compare?run=${seeded.baselineId}&run=${seeded.tunedId}`);
    await page.getByRole("heading", { level: 1, name: "Compare 2 runs" }).waitFor();
    // The crumbs name the runs' experiment, not its id.
    await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "image-classifier" }).waitFor();
    await page.getByRole("figure", { name: "loss chart" }).locator("canvas").waitFor();
    expect(await legendLabels(page, "loss chart")).toEqual(["Step", "resnet-baseline", "resnet-tuned"]);
    expect(await legendLabels(page, "accuracy chart")).toEqual(["Step", "resnet-baseline", "resnet-tuned"]);
    await page.getByText(`${2 * STEPS} points`, { exact: true }).first().waitFor();

    const diff = page.getByRole("table", { name: /Params and latest metrics/ });
    await diff.waitFor();
    const differingParams = diff.locator("tbody").first().locator("tr.differs th[scope=row]");
    expect(await differingParams.allTextContents()).toEqual(["lr (differs)"]);
    expect(await diff.locator("tr.differs").filter({ hasText: "lr" }).locator("td.differs").allInnerTexts()).toEqual(["0.01", "0.003"]);
    expect(await diff.getByRole("row", { name: /^epochs/ }).locator("td.differs").count()).toBe(0);
    // Final losses and accuracies differ too; the params that agree do not.
    expect(await diff.locator("td.differs").count()).toBe(6);

    await page.getByLabel("Only differences").check();
    expect(new URL(page.url()).searchParams.get("diffs")).toBe("1");
    expect(await diff.locator("th[scope=row]").allTextContents()).toEqual(["lr (differs)", "accuracy (differs)", "loss (differs)"]);

    // The scatter plot starts with the differing param against the first metric; each run is a named point.
    expect(await page.getByLabel("Y axis").inputValue()).toBe("metrics.accuracy");
    const tunedPoint = page.getByRole("img", { name: /^resnet-tuned: params\.lr = 0\.003, metrics\.accuracy = / });
    await tunedPoint.hover();
    expect(await page.locator(".scatter-label").innerHTML()).toBe("resnet-tuned");
    await page.getByLabel("Y axis").selectOption("metrics.loss");
    expect(new URL(page.url()).searchParams.get("sy")).toBe("metrics.loss");
    await page.getByRole("img", { name: /^resnet-baseline: params\.lr = 0\.01, metrics\.loss = / }).waitFor();

    const parallel = page.getByRole("img", { name: /^Parallel coordinates of 2 runs over lr, accuracy, loss/ });
    expect(await parallel.locator("path.pc-line").count()).toBe(2);

    await page.getByRole("heading", { name: "Metric histories" }).scrollIntoViewIfNeeded();
    const shot = screenshotPath("compare");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    expectCleanSession(recording);
    await recording.context.close();
  });
});
