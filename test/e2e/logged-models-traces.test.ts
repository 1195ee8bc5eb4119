import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, screenshotPath, type TestBrowser } from "./support/browser.js";

/**
 * MLflow 3's logged models and traces in Chromium, against a real server seeded through the REST API call by call
 * as the 3.6 client sends it (docs: ../shared/reference/mlflow3-rest.md, section 2): `log_model` inside a run
 * (logged-models create, runs/outputs, log-batch with model_id and dataset, get, file PUTs, finalize), a second
 * model left pending, `register_model` by model id, and `@mlflow.trace` calls (StartTraceV3, then traces.json PUT
 * to the trace's artifact location) with nested spans, a tag and an assessment. One span's inputs carry markup:
 * the page must show it as text and never run it.
 */

const T0_MS = Date.UTC(2026, 10, 20, 9, 0, 0);
const T0_NS = BigInt(T0_MS) * 1_000_000n;
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

interface Seeded {
  experimentId: string;
  runId: string;
  modelId: string;
  pendingModelId: string;
  traceIds: string[];
}

const call = async <T>(server: TempServer, method: string, path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
};

const putArtifact = async (server: TempServer, artifactUri: string, file: string, content: string): Promise<void> => {
  const base = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/?/, "");
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${base}/${file}`, { method: "PUT", body: content });
  if (!response.ok) throw new Error(`PUT ${file}: ${response.status} ${await response.text()}`);
};

interface LoggedModelAnswer {
  model: { info: { model_id: string; artifact_uri: string } };
}

/** `mlflow.<flavor>.log_model(...)` inside a run, as the 3.6 client sends it. */
const logModel = async (server: TempServer, experimentId: string, runId: string, name: string, accuracy: number, finalize: boolean): Promise<string> => {
  const created = await call<LoggedModelAnswer>(server, "POST", "/api/2.0/mlflow/logged-models", {
    experiment_id: experimentId,
    name,
    model_type: "onnx",
    source_run_id: runId,
    params: [{ key: "lr", value: "0.01" }],
    tags: [
      { key: "mlflow.user", value: "ada" },
      { key: "mlflow.source.name", value: "train.py" },
      { key: "team", value: "growth" },
    ],
  });
  const modelId = created.model.info.model_id;
  await call(server, "POST", "/api/2.0/mlflow/runs/outputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] });
  await call(server, "POST", "/api/2.0/mlflow/runs/log-batch", {
    run_id: runId,
    metrics: [{ key: "accuracy", value: accuracy, timestamp: T0_MS + 1000, step: 0, model_id: modelId, dataset_name: "iris-eval", dataset_digest: "d41d8cd9" }],
  });
  const got = await call<LoggedModelAnswer>(server, "GET", `/api/2.0/mlflow/logged-models/${modelId}`);
  await putArtifact(server, got.model.info.artifact_uri, "MLmodel", `artifact_path: ${name}\nflavors:\n  onnx:\n    onnx_version: 1.17.0\nmodel_id: ${modelId}\n`);
  await putArtifact(server, got.model.info.artifact_uri, "requirements.txt", "onnx==1.17.0\n");
  if (finalize) await call(server, "PATCH", `/api/2.0/mlflow/logged-models/${modelId}`, { model_id: modelId, status: "LOGGED_MODEL_READY" });
  return modelId;
};

/** A span dict as MLflow 3.6 writes it into traces.json: hex span ids, every attribute value JSON text. */
const span = (traceId: string, id: string, parent: string, name: string, type: string, startMs: number, endMs: number, inputs: unknown, outputs: unknown) => ({
  trace_id: traceId,
  span_id: id,
  trace_state: "",
  parent_span_id: parent,
  name,
  start_time_unix_nano: String(T0_NS + BigInt(startMs) * 1_000_000n),
  end_time_unix_nano: String(T0_NS + BigInt(endMs) * 1_000_000n),
  attributes: {
    "mlflow.traceRequestId": JSON.stringify(traceId),
    "mlflow.spanType": JSON.stringify(type),
    "mlflow.spanInputs": JSON.stringify(inputs),
    "mlflow.spanOutputs": JSON.stringify(outputs),
    ...(type === "LLM" ? { "llm.model": JSON.stringify("tiny-llm") } : {}),
  },
  status: { code: "OK", message: "" },
  events: type === "RETRIEVER" ? [{ name: "cache_miss", time_unix_nano: String(T0_NS + BigInt(startMs + 1) * 1_000_000n), attributes: { key: JSON.stringify("weather") } }] : [],
});

/** One `@mlflow.trace` call with nested spans: StartTraceV3 when it ends, then its spans as traces.json. */
const logTrace = async (server: TempServer, experimentId: string, index: number, question: string): Promise<string> => {
  const traceId = `tr-${index.toString(16).padStart(32, "0")}`;
  const start = T0_MS + index * 60_000;
  const answer = `answer ${index}`;
  const started = await call<{ trace: { trace_info: { tags?: Record<string, string> } } }>(server, "POST", "/api/3.0/mlflow/traces", {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_preview: JSON.stringify({ question }),
        response_preview: JSON.stringify(answer),
        request_time: new Date(start).toISOString(),
        execution_duration: `${(100 + index * 10) / 1000}s`,
        state: "OK",
        trace_metadata: { "mlflow.user": "ada", "mlflow.trace_schema.version": "3" },
        tags: { "mlflow.traceName": "agent", env: index % 2 ? "prod" : "dev" },
      },
      spans: [],
    },
  });
  const location = started.trace.trace_info.tags?.["mlflow.artifactLocation"];
  if (!location) throw new Error("StartTraceV3 answered no mlflow.artifactLocation tag");
  const total = 100 + index * 10;
  const spans = [
    span(traceId, "00000000000000a1", "", "agent", "AGENT", 0, total, { question }, answer),
    span(traceId, "00000000000000a2", "00000000000000a1", "retrieve", "RETRIEVER", 10, 40, { query: question }, ["doc-1", "doc-2"]),
    span(traceId, "00000000000000a3", "00000000000000a1", "generate", "LLM", 40, total - 10, { prompt: question }, answer),
    span(traceId, "00000000000000a4", "00000000000000a3", "tokenize", "PARSER", 45, 55, { text: question }, 7),
  ];
  // The client PUTs the spans where the tag says; on the wire the file travels as JSON.
  await putArtifact(server, location, "traces.json", JSON.stringify({ spans }));
  return traceId;
};

const seed = async (server: TempServer): Promise<Seeded> => {
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>(server, "POST", "/api/2.0/mlflow/experiments/create", { name: "support-agent" });
  const { run } = await call<{ run: { info: { run_id: string } } }>(server, "POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId, run_name: "train", start_time: T0_MS });
  const runId = run.info.run_id;
  await call(server, "POST", "/api/2.0/mlflow/runs/log-parameter", { run_id: runId, key: "lr", value: "0.01" });
  const modelId = await logModel(server, experimentId, runId, "classifier", 0.93, true);
  const pendingModelId = await logModel(server, experimentId, runId, "candidate", 0.81, false);
  await call(server, "POST", "/api/2.0/mlflow/runs/update", { run_id: runId, status: "FINISHED", end_time: T0_MS + 90_000 });

  // register_model("models:/<model_id>", "support-classifier"): the version names the model; the client then tags it.
  await call(server, "POST", "/api/2.0/mlflow/registered-models/create", { name: "support-classifier" });
  await call(server, "POST", "/api/2.0/mlflow/model-versions/create", { name: "support-classifier", source: `models:/${modelId}`, run_id: runId, model_id: modelId });
  await call(server, "PATCH", `/api/2.0/mlflow/logged-models/${modelId}/tags`, { tags: [{ key: "mlflow.modelVersions", value: JSON.stringify([{ name: "support-classifier", version: "1" }]) }] });

  const traceIds = [await logTrace(server, experimentId, 1, "What is the weather?"), await logTrace(server, experimentId, 2, HOSTILE), await logTrace(server, experimentId, 3, "Who won?")];
  await call(server, "PATCH", `/api/2.0/mlflow/traces/${traceIds[0]}/tags`, { key: "reviewed", value: "yes" });
  await call(server, "POST", `/api/3.0/mlflow/traces/${traceIds[0]}/assessments`, {
    assessment: {
      assessment_name: "correct",
      trace_id: traceIds[0],
      span_id: "00000000000000a3",
      source: { source_type: "HUMAN", source_id: "ada" },
      feedback: { value: true },
      rationale: "Matches the forecast.",
    },
  });
  return { experimentId, runId, modelId, pendingModelId, traceIds };
};

/** What the test reads of a table row in the page (the node project's types have no DOM). */
interface RowElement {
  children: ArrayLike<{ textContent: string | null }>;
  getAttribute(name: string): string | null;
}

/** The cells of the rows a locator finds, as trimmed text. */
const rowTexts = (rows: Locator): Promise<string[][]> =>
  rows.evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as RowElement).children, (cell) => (cell.textContent ?? "").trim())));

/** The cells of a table's body rows, as text. */
const bodyRows = (page: Page, tableName: string): Promise<string[][]> => rowTexts(page.getByRole("table", { name: tableName }).locator("tbody tr"));

describe("logged models and traces in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;
  let seeded: Seeded;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-models-traces-");
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

  it("lists the experiment's logged models, filters and sorts them in the URL, and opens one by link", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("navigation", { name: "Experiment views" }).getByRole("link", { name: "Logged models" }).click();
    await page.getByRole("link", { name: "classifier" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}/models`);
    const table = page.getByRole("region", { name: "Logged models" }).getByRole("table");
    const rows = (): Promise<string[][]> => rowTexts(table.locator("tbody tr"));
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual(["candidate", "classifier"]);
    const headers = await table.locator("thead th").allTextContents();
    expect(headers).toEqual(["Name", "Status", "Type", "Source run", "Created ▼", "metrics.accuracy", "params.lr", "Tags"]);
    await expect.poll(async () => (await rows())[1]).toEqual(["classifier", "ready", "onnx", "train", expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), "0.93", "0.01", "team=growth"]);
    expect((await rows())[0]?.slice(0, 3)).toEqual(["candidate", "pending", "onnx"]);

    await page.getByRole("button", { name: "metrics.accuracy" }).click();
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual(["classifier", "candidate"]);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("metrics.accuracy");

    const filter = page.getByRole("searchbox", { name: "Filter logged models" });
    await filter.fill("metrics.accuracy < 0.9");
    await filter.press("Enter");
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual(["candidate"]);
    expect(new URL(page.url()).searchParams.get("filter")).toBe("metrics.accuracy < 0.9");
    await page.reload();
    await page.getByRole("link", { name: "candidate" }).waitFor();
    expect(await page.getByRole("searchbox", { name: "Filter logged models" }).inputValue()).toBe("metrics.accuracy < 0.9");
    await page.goBack();
    await page.getByRole("link", { name: "classifier" }).click();
    await page.getByRole("heading", { level: 1, name: "classifier" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}/models/${seeded.modelId}`);
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows a logged model: info, registrations, params, metrics with their dataset, tags and files", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}/models/${seeded.modelId}`);
    await page.getByRole("heading", { level: 1, name: "classifier" }).waitFor();
    const info = page.getByRole("region", { name: "Logged model" });
    await info.getByRole("link", { name: "train" }).waitFor();
    const facts = await info.locator("dl").evaluate((dl) => Array.from((dl as unknown as RowElement).children, (cell) => (cell.textContent ?? "").trim()));
    expect(facts.slice(0, 12)).toEqual(["Name", "classifier", "Status", "ready", "Model ID", seeded.modelId, "Model type", "onnx", "Experiment", seeded.experimentId, "Source run", "train"]);
    expect(facts.slice(-2)).toEqual(["Artifact URI", `mlflow-artifacts:/${seeded.experimentId}/models/${seeded.modelId}/artifacts`]);
    expect(await bodyRows(page, "Parameters")).toEqual([["lr", "0.01"]]);
    expect(await bodyRows(page, "Metrics of the model")).toEqual([["accuracy", "0.93", "0", "iris-eval", "d41d8cd9", "train"]]);
    expect(await bodyRows(page, "Tags")).toEqual([["team", "growth"]]);
    const registration = page.getByRole("link", { name: "support-classifier version 1" });
    expect(await registration.getAttribute("href")).toBe("/models/support-classifier/versions/1");
    const shot = screenshotPath("logged-model");
    if (shot) await page.screenshot({ path: shot, fullPage: true });

    await page.getByRole("tab", { name: "Artifacts" }).click();
    await page.getByRole("button", { name: "MLmodel" }).click();
    expect(new URL(page.url()).searchParams.get("tab")).toBe("artifacts");
    expect(new URL(page.url()).searchParams.get("artifact")).toBe("MLmodel");
    await page.getByRole("heading", { name: "MLmodel" }).waitFor();
    await page.getByText("onnx_version").first().waitFor();
    expect(await page.getByRole("navigation", { name: "Artifact files" }).getByRole("button").allTextContents()).toEqual([expect.stringMatching(/^MLmodel\d+ B$/), "requirements.txt13 B"]);

    await page.getByRole("tab", { name: "Overview" }).click();
    await registration.click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/models/support-classifier/versions/1");
    // The version names its logged model, and links back to it.
    await page.getByRole("region", { name: "Version details" }).getByRole("link", { name: "classifier" }).click();
    await page.getByRole("heading", { level: 1, name: "classifier" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}/models/${seeded.modelId}`);
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows the run's model outputs, linked to each model's page", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}/runs/${seeded.runId}`);
    await page.getByRole("heading", { level: 1, name: "train" }).waitFor();
    await page.getByRole("table", { name: "Logged models of the run" }).getByRole("link", { name: "candidate" }).waitFor();
    expect(await bodyRows(page, "Logged models of the run")).toEqual([
      ["classifier", "output", "0", "ready", "onnx", seeded.modelId],
      ["candidate", "output", "0", "pending", "onnx", seeded.pendingModelId],
    ]);
    await page.getByRole("table", { name: "Logged models of the run" }).getByRole("link", { name: "candidate" }).click();
    await page.getByRole("heading", { level: 1, name: "candidate" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}/models/${seeded.pendingModelId}`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("lists the experiment's traces with previews, state, duration, tags and assessments; sorts and filters in the URL", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}`);
    await page.getByRole("navigation", { name: "Experiment views" }).getByRole("link", { name: "Traces" }).click();
    const table = page.getByRole("region", { name: "Traces" }).getByRole("table");
    const rows = (): Promise<string[][]> => rowTexts(table.locator("tbody tr"));
    await page.getByRole("link", { name: seeded.traceIds[0] ?? "" }).waitFor();
    const [t1, t2, t3] = seeded.traceIds;
    // Newest first; request times are shown in the browser's time zone, so only their shape is checked.
    const time = expect.stringMatching(/^2026-11-\d\d \d\d:\d\d:00$/);
    expect(await rows()).toEqual([
      [t3, JSON.stringify({ question: "Who won?" }), '"answer 3"', "ok", "130 ms", time, "env=prod", "—"],
      [t2, JSON.stringify({ question: HOSTILE }), '"answer 2"', "ok", "120 ms", time, "env=dev", "—"],
      [t1, JSON.stringify({ question: "What is the weather?" }), '"answer 1"', "ok", "110 ms", time, "env=prod, reviewed=yes", "1: correct: true"],
    ]);
    const shot = screenshotPath("traces");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    await page.getByRole("button", { name: "Duration" }).click();
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual([t3, t2, t1]);
    await page.getByRole("button", { name: "Duration" }).click();
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual([t1, t2, t3]);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("execution_time_ms");
    expect(new URL(page.url()).searchParams.get("dir")).toBe("asc");

    const filter = page.getByRole("searchbox", { name: "Filter traces" });
    await filter.fill("tags.env = 'prod'");
    await filter.press("Enter");
    await expect.poll(async () => (await rows()).map((row) => row[0])).toEqual([t1, t3]);
    expect(new URL(page.url()).searchParams.get("filter")).toBe("tags.env = 'prod'");

    await page.getByRole("link", { name: t1 ?? "" }).click();
    await page.getByRole("heading", { level: 1, name: `Trace ${t1}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/experiments/${seeded.experimentId}/traces/${t1}`);
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows a trace's span tree and timeline, the chosen span's data and events, and its assessments", async () => {
    const { page, requests, pageErrors, context } = await browser.newPage(server.url);
    const [t1] = seeded.traceIds;
    await page.goto(`/experiments/${seeded.experimentId}/traces/${t1}`);
    const spans = page.getByRole("table", { name: "Spans of the trace, nested by parent, with their place on the timeline" });
    await spans.waitFor();
    const spanRows = await spans.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [(tr as unknown as RowElement).getAttribute("data-depth"), ...Array.from((tr as unknown as RowElement).children, (cell) => (cell.textContent ?? "").trim()).slice(0, 4)]),
    );
    expect(spanRows).toEqual([
      ["0", "Level 1: agent", "AGENT", "0 ms", "110 ms"],
      ["1", "Level 2: retrieve", "RETRIEVER", "10 ms", "30 ms"],
      ["1", "Level 2: generate", "LLM", "40 ms", "60 ms"],
      ["2", "Level 3: tokenize", "PARSER", "45 ms", "10 ms"],
    ]);
    const bars = await spans.locator(".timeline-bar").evaluateAll((divs) => divs.map((div) => [(div as unknown as RowElement).getAttribute("data-left"), (div as unknown as RowElement).getAttribute("data-width")]));
    expect(bars).toEqual([
      ["0.00", "100.00"],
      ["9.09", "27.27"],
      ["36.36", "54.55"],
      ["40.91", "9.09"],
    ]);
    expect(await page.getByLabel("Inputs of agent").textContent()).toBe('{\n  "question": "What is the weather?"\n}');

    await spans.getByRole("button", { name: "retrieve" }).click();
    expect(new URL(page.url()).searchParams.get("span")).toBe("00000000000000a2");
    await page.getByRole("heading", { level: 2, name: "Span retrieve" }).waitFor();
    expect(await page.getByLabel("Outputs of retrieve").textContent()).toBe('[\n  "doc-1",\n  "doc-2"\n]');
    expect(await bodyRows(page, "Events of retrieve")).toEqual([["cache_miss", "11 ms", '{\n  "key": "weather"\n}']]);
    await page.reload();
    await page.getByRole("heading", { level: 2, name: "Span retrieve" }).waitFor();

    expect(await bodyRows(page, "Assessments of the trace")).toEqual([["correct", "feedback", "true", "Matches the forecast.", "human (ada)", "generate", expect.stringMatching(/^2026-|^\d{4}-/)]]);
    await page.getByRole("button", { name: "Show span generate" }).click();
    await page.getByRole("heading", { level: 2, name: "Span generate" }).waitFor();
    expect(await bodyRows(page, "Attributes of generate")).toEqual([["llm.model", "tiny-llm"]]);
    expect(await bodyRows(page, "Trace tags")).toEqual([
      ["env", "prod"],
      ["reviewed", "yes"],
    ]);
    const shot = screenshotPath("trace");
    // From the top: table headers are sticky, and a scrolled page would draw them partway down their tables.
    await page.evaluate("window.scrollTo(0, 0)");
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    ownRequestsOnly(requests);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows markup in span inputs, previews and outputs as literal text and never runs it", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    const t2 = seeded.traceIds[1] ?? "";
    await page.goto(`/experiments/${seeded.experimentId}/traces/${t2}`);
    await page.getByRole("heading", { level: 2, name: "Span agent" }).waitFor();
    expect(await page.getByLabel("Inputs of agent").textContent()).toBe(JSON.stringify({ question: HOSTILE }, null, 2));
    expect(await page.getByLabel("Request preview").textContent()).toBe(JSON.stringify({ question: HOSTILE }));
    await page.getByRole("button", { name: "tokenize" }).click();
    expect(await page.getByLabel("Inputs of tokenize").textContent()).toBe(JSON.stringify({ text: HOSTILE }, null, 2));
    // Nothing of it became an element, and nothing of it ran (the CSP would also have refused an inline script).
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();

    await page.goto(`/experiments/${seeded.experimentId}/traces`);
    await page.getByRole("link", { name: t2 }).waitFor();
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.getByRole("row").filter({ has: page.getByRole("link", { name: t2 }) }).locator("td").nth(1).textContent()).toBe(JSON.stringify({ question: HOSTILE }));
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("screenshots the logged models table", async () => {
    const shot = screenshotPath("logged-models");
    const { page, context } = await browser.newPage(server.url);
    await page.goto(`/experiments/${seeded.experimentId}/models`);
    await page.getByRole("link", { name: "classifier" }).waitFor();
    await page.getByRole("link", { name: "train" }).first().waitFor();
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    await context.close();
  });
});
