import { act, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import TracePage from "./trace-page";
import type { TraceInfoV3 } from "./trace-wire";

const T0 = 1_700_000_000_000_000_000;
const MS = 1_000_000;
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

const TRACE: TraceInfoV3 = {
  trace_id: "tr-0123456789abcdef0123456789abcdef",
  trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "7" } },
  request_preview: '{"question": "<b>bold?</b>"}',
  response_preview: '"an answer"',
  request_time: "2026-11-20T09:00:00.000Z",
  execution_duration: "0.12s",
  state: "OK",
  trace_metadata: { "mlflow.user": "ada" },
  tags: { env: "prod", "mlflow.artifactLocation": "mlflow-artifacts:/7/traces/tr-0123456789abcdef0123456789abcdef/artifacts" },
  assessments: [
    {
      assessment_id: "a-1",
      assessment_name: "correct",
      trace_id: "tr-0123456789abcdef0123456789abcdef",
      span_id: "s-tool",
      source: { source_type: "HUMAN", source_id: "ada" },
      create_time: "2026-11-20T09:05:00.000Z",
      feedback: { value: true },
      rationale: HOSTILE,
      valid: true,
    },
  ],
};

const span = (id: string, parent: string, name: string, startMs: number, endMs: number, attributes: Record<string, string> = {}) => ({
  trace_id: "x",
  span_id: id,
  parent_span_id: parent,
  name,
  start_time_unix_nano: T0 + startMs * MS,
  end_time_unix_nano: T0 + endMs * MS,
  status: { code: "STATUS_CODE_OK", message: "" },
  attributes: { "mlflow.spanType": '"CHAIN"', ...attributes },
  events: [],
});

const SPANS = {
  spans: [
    span("s-agent", "", "agent", 0, 120, { "mlflow.spanInputs": JSON.stringify({ question: HOSTILE }), "mlflow.spanOutputs": JSON.stringify(HOSTILE) }),
    span("s-tool", "s-agent", "tool", 30, 90, { "mlflow.spanInputs": '{"query": "weather"}', "tool.name": '"search"' }),
  ],
};

const INFO_URL = "/ajax-api/3.0/mlflow/traces/tr-0123456789abcdef0123456789abcdef";
const SPANS_URL = "/ajax-api/2.0/mlflow-artifacts/artifacts/7/traces/tr-0123456789abcdef0123456789abcdef/artifacts/traces.json";

describe("TracePage", () => {
  let fetched: string[];
  beforeEach(() => {
    fetched = [];
    vi.stubGlobal("fetch", async (url: string) => {
      fetched.push(url);
      if (url === INFO_URL) return new Response(JSON.stringify({ trace: { trace_info: TRACE } }));
      if (url === SPANS_URL) return new Response(JSON.stringify(SPANS));
      if (url.startsWith("/ajax-api/2.0/mlflow/experiments/get")) return new Response(JSON.stringify({ experiment: { experiment_id: "7", name: "support-bot" } }));
      return new Response("{}", { status: 404 });
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the span tree with offsets, the chosen span's data as text, and the assessments", async () => {
    const { container, location } = renderWithApp(<TracePage experimentId="7" traceId={TRACE.trace_id} />, `/experiments/7/traces/${TRACE.trace_id}`);
    const table = await screen.findByRole("table", { name: "Spans of the trace, nested by parent, with their place on the timeline" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => Array.from(row.children).slice(0, 4).map((cell) => cell.textContent))).toEqual([
      ["Level 1: agent", "CHAIN", "0 ms", "120 ms"],
      ["Level 2: tool", "CHAIN", "30 ms", "60 ms"],
    ]);
    expect(rows.map((row) => row.getAttribute("data-depth"))).toEqual(["0", "1"]);
    const bars = Array.from(container.querySelectorAll(".timeline-bar")).map((bar) => [bar.getAttribute("data-left"), bar.getAttribute("data-width")]);
    expect(bars).toEqual([
      ["0.00", "100.00"],
      ["25.00", "50.00"],
    ]);

    // The first span is chosen by default; its inputs and outputs are the client's text, shown as text.
    expect(screen.getByRole("heading", { level: 2, name: "Span agent" })).toBeTruthy();
    expect(screen.getByLabelText("Inputs of agent").textContent).toBe(JSON.stringify({ question: HOSTILE }, null, 2));
    expect(screen.getByLabelText("Outputs of agent").textContent).toBe(HOSTILE);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(screen.getByLabelText("Request preview").textContent).toBe('{"question": "<b>bold?</b>"}');
    expect(container.querySelector("b")).toBeNull();

    // Choosing a span is a step in the URL.
    act(() => screen.getByRole("button", { name: "tool" }).click());
    expect(location.history.at(-1)).toBe(`/experiments/7/traces/${TRACE.trace_id}?span=s-tool`);
    expect(screen.getByRole("heading", { level: 2, name: "Span tool" })).toBeTruthy();
    const attributes = within(screen.getByRole("table", { name: "Attributes of tool" })).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent));
    expect(attributes).toEqual([
      ["Attribute", "Value"],
      ["tool.name", "search"],
    ]);

    const assessments = within(screen.getByRole("table", { name: "Assessments of the trace" })).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent));
    expect(assessments).toEqual([
      ["Name", "Kind", "Value", "Rationale", "Source", "Span", "Created"],
      ["correct", "feedback", "true", HOSTILE, "human (ada)", "tool", expect.stringMatching(/^2026-11-20 \d\d:05:00$/)],
    ]);
    expect(fetched.filter((url) => !url.includes("experiments/get"))).toEqual([INFO_URL, SPANS_URL]);
  });

  it("says why when the trace names no place for its spans", async () => {
    const bare = { ...TRACE, tags: {} };
    vi.stubGlobal("fetch", async (url: string) => new Response(JSON.stringify(url === INFO_URL ? { trace: { trace_info: bare } } : { experiment: { experiment_id: "7", name: "e" } })));
    renderWithApp(<TracePage experimentId="7" traceId={TRACE.trace_id} />, `/experiments/7/traces/${TRACE.trace_id}`);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load the spans. This trace names no location for its spans (no mlflow.artifactLocation tag).");
  });

  it("says the span file is not uploaded when the artifact is missing", async () => {
    vi.stubGlobal("fetch", async (url: string) =>
      url === INFO_URL ? new Response(JSON.stringify({ trace: { trace_info: { ...TRACE, state: "IN_PROGRESS" } } })) : url === SPANS_URL ? new Response("", { status: 404 }) : new Response(JSON.stringify({ experiment: { experiment_id: "7", name: "e" } })),
    );
    renderWithApp(<TracePage experimentId="7" traceId={TRACE.trace_id} />, `/experiments/7/traces/${TRACE.trace_id}`);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load the spans. The trace's span file (traces.json) is not there: the client has not uploaded it (yet).");
    expect(screen.getAllByText("in progress").map((badge) => badge.className)).toEqual(["badge", "badge"]);
  });
});
