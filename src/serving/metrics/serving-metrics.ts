import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BatchObserver } from "../batching/adaptive-batcher.js";
import type { DeploymentHealth } from "../deployments/deployment-health.js";
import type { ServingProtocol } from "../served-model.js";
import { OwnedGauge } from "./owned-gauge.js";

/** Seconds; serving answers in well under a millisecond in-process, so the low buckets are fine-grained. */
const REQUEST_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const LOAD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The per-request instruments of one (deployment, version, protocol), resolved once and reused on the hot path. */
export interface RequestInstruments {
  /** A request answered (ok) or failed, after `seconds`. */
  observe(seconds: number, ok: boolean): void;
  /** A request refused before it reached the model (malformed): a request and an error, no duration. */
  refuse(): void;
}

export interface ServingMetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC...) in the same registry (default true). */
  processMetrics?: boolean;
}

/**
 * Serving's Prometheus instruments in a registry of their own (one per server, never prom-client's global one, so
 * two servers in a process or in a test never share counts). Labels are only deployment, version and protocol:
 * all three come from a bounded set (deployments and loaded versions), never from request content.
 */
export class ServingMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"deployment" | "version" | "protocol">;
  private readonly errors: Counter<"deployment" | "version" | "protocol">;
  private readonly duration: Histogram<"deployment" | "version" | "protocol">;
  private readonly batchSize: Histogram<"deployment" | "version">;
  private readonly queueDepth: Gauge<"deployment" | "version">;
  private readonly modelLoad: Histogram<"deployment" | "version">;
  private readonly predictionLogDropped: Counter;
  private readonly degraded: Gauge<"deployment">;
  /** One series per deployment: a change of versions replaces it. */
  private readonly servingInfo: OwnedGauge<"deployment" | "serving_version" | "alias_version">;
  private readonly instruments = new Map<string, RequestInstruments>();

  constructor(options: ServingMetricsOptions = {}) {
    const registers = [this.registry];
    const requestLabels = ["deployment", "version", "protocol"] as const;
    this.requests = new Counter({
      name: "cairn_serving_requests_total",
      help: "Inference requests answered or failed.",
      labelNames: requestLabels,
      registers,
    });
    this.errors = new Counter({
      name: "cairn_serving_errors_total",
      help: "Inference requests that failed (any status >= 400).",
      labelNames: requestLabels,
      registers,
    });
    this.duration = new Histogram({
      name: "cairn_serving_request_duration_seconds",
      help: "Time from a request reaching the model to its answer, in seconds.",
      labelNames: requestLabels,
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.batchSize = new Histogram({
      name: "cairn_serving_batch_size",
      help: "Rows per runtime call (1 when a request ran alone).",
      labelNames: ["deployment", "version"],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.queueDepth = new Gauge({
      name: "cairn_serving_queue_depth",
      help: "Requests waiting for a batch.",
      labelNames: ["deployment", "version"],
      registers,
    });
    this.modelLoad = new Histogram({
      name: "cairn_serving_model_load_seconds",
      help: "Time to load and warm a model version, in seconds.",
      labelNames: ["deployment", "version"],
      buckets: LOAD_BUCKETS,
      registers,
    });
    this.predictionLogDropped = new Counter({
      name: "cairn_prediction_log_dropped_total",
      help: "Prediction log records dropped because the write queue was full.",
      registers,
    });
    this.degraded = new Gauge({
      name: "cairn_deployment_degraded",
      help: "1 when what a deployment serves differs from what its alias (or pinned primary) names, else 0.",
      labelNames: ["deployment"],
      registers,
    });
    this.servingInfo = new OwnedGauge(
      new Gauge({
        name: "cairn_deployment_serving_info",
        help: "Always 1: the version a deployment serves and the version its alias names (empty when pinned or none).",
        labelNames: ["deployment", "serving_version", "alias_version"],
        registers,
      }),
    );
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The request instruments for one label set, cached: label lookups cost more than the increments themselves. */
  requestInstruments(deployment: string, version: string, protocol: ServingProtocol): RequestInstruments {
    const key = `${deployment}\u0000${version}\u0000${protocol}`;
    let instruments = this.instruments.get(key);
    if (instruments === undefined) {
      const labels = { deployment, version, protocol };
      const requests = this.requests.labels(labels);
      const errors = this.errors.labels(labels);
      const duration = this.duration.labels(labels);
      // Zero-valued series from the start: a rate() over errors works before the first error.
      errors.inc(0);
      instruments = {
        observe: (seconds, ok) => {
          requests.inc();
          if (!ok) errors.inc();
          duration.observe(seconds);
        },
        refuse: () => {
          requests.inc();
          errors.inc();
        },
      };
      this.instruments.set(key, instruments);
    }
    return instruments;
  }

  /** What an AdaptiveBatcher of this deployment version reports to. */
  batchObserver(deployment: string, version: string): BatchObserver {
    const batchSize = this.batchSize.labels({ deployment, version });
    const queueDepth = this.queueDepth.labels({ deployment, version });
    return {
      batch: (rows) => batchSize.observe(rows),
      queueDepth: (requests) => queueDepth.set(requests),
    };
  }

  observeModelLoad(deployment: string, version: string, seconds: number): void {
    this.modelLoad.observe({ deployment, version }, seconds);
  }

  /** A deployment's health verdict (DeploymentService's onHealth); undefined removes its series (deleted). */
  deploymentHealth(deployment: string, health: DeploymentHealth | undefined): void {
    if (health === undefined) {
      this.degraded.remove({ deployment });
      this.servingInfo.remove(deployment);
      return;
    }
    this.degraded.set({ deployment }, health.state === "degraded" ? 1 : 0);
    const labels = { deployment, serving_version: health.servedVersion ?? "", alias_version: health.aliasVersion ?? "" };
    this.servingInfo.replace(deployment, [{ labels, value: 1 }]);
  }

  /** For the prediction log's onDropped hook. */
  readonly predictionLogDroppedBy = (count: number): void => {
    this.predictionLogDropped.inc(count);
  };

  /**
   * Forgets the series of a version no longer served (its deployment moved on), so that label sets stay bounded
   * by what is loaded rather than by history.
   */
  forgetVersion(deployment: string, version: string): void {
    for (const protocol of ["mlflow", "oip"] as const) {
      const labels = { deployment, version, protocol };
      this.requests.remove(labels);
      this.errors.remove(labels);
      this.duration.remove(labels);
      this.instruments.delete(`${deployment}\u0000${version}\u0000${protocol}`);
    }
    this.batchSize.remove({ deployment, version });
    this.queueDepth.remove({ deployment, version });
    this.modelLoad.remove({ deployment, version });
  }
}
