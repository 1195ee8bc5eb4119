import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { logTrace, type LoggedTrace } from "../sdk/test-support/trace-client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn traces list|show` as a user runs them: a child process against a real server, exact output. */
let server: TempServer;
let client: CairnClient;
let experimentId: string;
let first: LoggedTrace;
let second: LoggedTrace;
let feedbackId: string;
let expectationId: string;

const cairn = (...args: string[]): Promise<CliResult> => runCli(["--tracking-uri", server.url, ...args]);

const T0 = Date.UTC(2026, 11, 4, 10, 0, 0, 250);

beforeAll(async () => {
  server = await startTempServer("cairn-cli-traces-");
  client = new CairnClient({ trackingUri: server.url });
  experimentId = await client.experiments.create({ name: "cli-traces" });
  first = await logTrace(server.url, experimentId, {
    requestTimeMs: T0,
    durationMs: 1250,
    request: '{"question": "refund?"}',
    response: '"Yes"',
    tags: { topic: "billing" },
    spans: [
      { name: "predict", startNs: 0, endNs: 1_250_000_000, spanType: "CHAIN" },
      { name: "retrieve", startNs: 2_000_000, endNs: 42_000_000, parent: "predict", spanType: "RETRIEVER" },
      { name: "embed", startNs: 3_000_000, endNs: 3_042_000, parent: "retrieve" },
      { name: "llm", startNs: 50_000_000, endNs: 1_200_000_000, parent: "predict", spanType: "LLM", error: "rate limited" },
      // Span data is whoever logged it: an escape sequence must reach the terminal as text.
      { name: "tool\u001b[2J", startNs: 60_000_000, endNs: 70_000_000, parent: "llm" },
    ],
  });
  second = await logTrace(server.url, experimentId, {
    requestTimeMs: T0 + 60_000,
    durationMs: 20,
    state: "ERROR",
    request: '{"question": "hi"}\nsecond line',
    spans: [{ name: "predict", startNs: 0, endNs: 20_000_000 }],
  });
  feedbackId = (
    await client.traces.assessments.logFeedback({
      traceId: first.traceId,
      name: "relevance",
      value: 0.75,
      rationale: "on topic",
      source: { source_type: "HUMAN", source_id: "ada" },
      spanId: first.spanIds.llm,
    })
  ).assessment_id;
  expectationId = (await client.traces.assessments.logExpectation({ traceId: first.traceId, name: "expected", value: "Yes" })).assessment_id;
});

afterAll(async () => {
  await server?.close();
});

describe("cairn traces (process)", () => {
  it("lists an experiment's traces newest first, with previews, state, duration, user tags and assessments", async () => {
    expect(await cairn("traces", "list", "--experiment", "cli-traces")).toEqual({
      code: 0,
      stdout: [
        "TRACE ID                             REQUEST TIME (UTC)   STATE  DURATION  REQUEST                  RESPONSE  TAGS           ASSESSMENTS",
        `${second.traceId}  2026-12-04 10:01:00  ERROR  20.0 ms   {"question": "hi"}       -         -              -`,
        `${first.traceId}  2026-12-04 10:00:00  OK     1.25 s    {"question": "refund?"}  "Yes"     topic=billing  relevance=0.75, expected="Yes"`,
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("filters, orders, limits, and prints JSON equal to the SDK's answer", async () => {
    const json = await cairn("traces", "list", "--experiment", experimentId, "--filter", "trace.status = 'OK'", "--order-by", "timestamp_ms ASC", "--max-results", "1", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([await client.traces.getInfo(first.traceId)]);
    expect(await cairn("traces", "list", "--experiment", experimentId, "--filter", "tags.topic = 'none'")).toEqual({ code: 0, stdout: "No traces.\n", stderr: "" });
  });

  it("shows a trace: info, tags, metadata, assessments and the span tree with durations", async () => {
    const shown = await cairn("traces", "show", first.traceId);
    expect(shown).toEqual({
      code: 0,
      stdout: [
        `Trace ${first.traceId}`,
        `  experiment:         ${experimentId}`,
        "  state:              OK",
        "  request time (UTC): 2026-12-04 10:00:00",
        "  duration:           1.25 s",
        `  request:            {"question": "refund?"}`,
        `  response:           "Yes"`,
        "",
        "Tags",
        `  mlflow.artifactLocation: mlflow-artifacts:/${experimentId}/traces/${first.traceId}/artifacts`,
        "  mlflow.traceName:        predict",
        "  topic:                   billing",
        "",
        "Metadata",
        "  mlflow.trace_schema.version: 3",
        "",
        "Assessments",
        `  relevance: feedback  0.75  by human ada  on span 0000000000000004  rationale: on topic  [${feedbackId}]`,
        `  expected:  expectation  "Yes"  by human default  [${expectationId}]`,
        "",
        "Spans (5)",
        "  predict (CHAIN)            1.25 s  OK",
        "  ├─ retrieve (RETRIEVER)   40.0 ms  OK",
        "  │  └─ embed              0.042 ms  OK",
        "  └─ llm (LLM)               1.15 s  ERROR: rate limited",
        "     └─ tool\\u001b[2J       10.0 ms  OK",
        "",
      ].join("\n"),
      stderr: "",
    });
    const json = await cairn("traces", "show", first.traceId, "--json");
    expect(JSON.parse(json.stdout)).toEqual(await client.traces.get(first.traceId));
  });

  it("fails with one line on stderr: a malformed or missing id (exit 1), a missing --experiment (exit 2)", async () => {
    const malformed = await cairn("traces", "show", "tr-123");
    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toBe("");
    expect(malformed.stderr).toMatch(/^cairn: error: INVALID_PARAMETER_VALUE: [^\n]*'tr-123'[^\n]*\n$/);
    const missing = `tr-${"0".repeat(32)}`;
    const gone = await cairn("traces", "show", missing);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`^cairn: error: RESOURCE_DOES_NOT_EXIST: [^\\n]*${missing}[^\\n]*\\n$`));
    expect(await cairn("traces", "list")).toEqual({ code: 2, stdout: "", stderr: "cairn: error: required option '--experiment <id-or-name...>' not specified\n" });
    expect(await cairn("traces", "list", "--experiment", experimentId, "--max-results", "abc")).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: --max-results must be an integer from 1 to 100000, got 'abc'\n",
    });
  });
});
