import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app.js";
import { metricsRoute } from "./metrics-route.js";
import { ServingMetrics } from "./serving-metrics.js";

/**
 * A minimal parser of Prometheus' text format: every sample line must be `name{labels} value`. (prom-client writes
 * NaN as "Nan", which Prometheus reads: Go's ParseFloat ignores case.)
 */
const parse = (text: string): Map<string, number> => {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) {
      if (line.startsWith("#")) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)$/.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    samples.set((match as RegExpExecArray)[1] as string, Number((match as RegExpExecArray)[2]));
  }
  return samples;
};

let app: FastifyInstance | undefined;
afterAll(async () => app?.close());

describe("ServingMetrics", () => {
  it("counts known traffic exactly and serves it as Prometheus text at GET /metrics", async () => {
    const metrics = new ServingMetrics();
    const churnMlflow = metrics.requestInstruments("churn", "3", "mlflow");
    for (let i = 0; i < 7; i += 1) churnMlflow.observe(0.0004, true);
    churnMlflow.observe(0.002, false);
    const churnOip = metrics.requestInstruments("churn", "4", "oip");
    for (let i = 0; i < 3; i += 1) churnOip.observe(0.03, true);
    expect(metrics.requestInstruments("churn", "3", "mlflow")).toBe(churnMlflow);

    const batches = metrics.batchObserver("churn", "3");
    batches.batch(1, 1);
    batches.batch(20, 20);
    batches.batch(32, 30);
    batches.queueDepth(5);
    batches.queueDepth(2);
    metrics.observeModelLoad("churn", "4", 0.42);
    metrics.predictionLogDroppedBy(3);

    app = await buildApp({ version: "test", domains: [metricsRoute(metrics.registry)] });
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain; version=0.0.4");
    const samples = parse(response.body);

    expect(samples.get('cairn_serving_requests_total{deployment="churn",version="3",protocol="mlflow"}')).toBe(8);
    expect(samples.get('cairn_serving_errors_total{deployment="churn",version="3",protocol="mlflow"}')).toBe(1);
    expect(samples.get('cairn_serving_requests_total{deployment="churn",version="4",protocol="oip"}')).toBe(3);
    expect(samples.get('cairn_serving_errors_total{deployment="churn",version="4",protocol="oip"}')).toBe(0);
    const duration = 'cairn_serving_request_duration_seconds';
    expect(samples.get(`${duration}_count{deployment="churn",version="3",protocol="mlflow"}`)).toBe(8);
    expect(samples.get(`${duration}_bucket{le="0.0005",deployment="churn",version="3",protocol="mlflow"}`)).toBe(7);
    expect(samples.get(`${duration}_bucket{le="0.0025",deployment="churn",version="3",protocol="mlflow"}`)).toBe(8);
    expect(samples.get(`${duration}_sum{deployment="churn",version="4",protocol="oip"}`)).toBeCloseTo(0.09, 10);
    expect(samples.get('cairn_serving_batch_size_count{deployment="churn",version="3"}')).toBe(3);
    expect(samples.get('cairn_serving_batch_size_sum{deployment="churn",version="3"}')).toBe(53);
    expect(samples.get('cairn_serving_batch_size_bucket{le="16",deployment="churn",version="3"}')).toBe(1);
    expect(samples.get('cairn_serving_batch_size_bucket{le="32",deployment="churn",version="3"}')).toBe(3);
    expect(samples.get('cairn_serving_queue_depth{deployment="churn",version="3"}')).toBe(2);
    expect(samples.get('cairn_serving_model_load_seconds_count{deployment="churn",version="4"}')).toBe(1);
    expect(samples.get('cairn_serving_model_load_seconds_sum{deployment="churn",version="4"}')).toBe(0.42);
    expect(samples.get("cairn_prediction_log_dropped_total")).toBe(3);
    // Process metrics come along, from this registry.
    expect(samples.get("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect([...samples.keys()].some((k) => k.startsWith("nodejs_heap_size_total_bytes"))).toBe(true);

    // Label sets are bounded by what is served: a version that is gone is forgotten.
    metrics.forgetVersion("churn", "3");
    const after = parse(await metrics.registry.metrics());
    expect([...after.keys()].filter((k) => k.includes('version="3"'))).toEqual([]);
    expect(after.get('cairn_serving_requests_total{deployment="churn",version="4",protocol="oip"}')).toBe(3);
  });

  it("keeps each server's counts in its own registry", async () => {
    const a = new ServingMetrics({ processMetrics: false });
    const b = new ServingMetrics({ processMetrics: false });
    a.requestInstruments("d", "1", "oip").observe(0.001, true);
    expect(parse(await a.registry.metrics()).get('cairn_serving_requests_total{deployment="d",version="1",protocol="oip"}')).toBe(1);
    expect(parse(await b.registry.metrics()).get('cairn_serving_requests_total{deployment="d",version="1",protocol="oip"}')).toBeUndefined();
    expect([...parse(await b.registry.metrics()).keys()].some((k) => k.startsWith("process_"))).toBe(false);
  });
});
