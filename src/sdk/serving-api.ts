import { CairnApiError } from "./errors.js";
import type { Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";

/** A deployment's traffic policy as the server reports it: the primary version, an optional canary and shadow. */
export interface CanaryWire {
  version: string;
  /** Share of traffic (0..1) the canary answers. */
  weight: number;
  /** True when a request's routing key (x-cairn-routing-key) always lands on the same version. */
  sticky?: boolean;
}

export interface ShadowWire {
  version: string;
  /** Share of traffic (0..1) mirrored to the shadow; its answers never reach the caller. */
  share: number;
}

export interface DeploymentWire {
  name: string;
  /** models:/name@alias (follows the alias) or models:/name/3 (pinned). */
  model_uri: string;
  /** The registered model behind the URI. */
  model_name?: string;
  /** The version answering most traffic. */
  primary_version?: string;
  canary?: CanaryWire;
  shadow?: ShadowWire;
  /** The version the alias named when last followed (absent for a pinned URI). */
  followed_version?: string;
  max_batch_size?: number;
  max_latency_ms?: number;
  prediction_log_sample_rate?: number;
  /** Merged batches run on a worker thread. */
  inference_worker?: boolean;
  /** The deployment's own prediction-log bounds (absent: the server's bounds alone apply). */
  prediction_log_max_age_seconds?: number;
  prediction_log_max_rows?: number;
  /** Versions loaded and answering now (the primary first). */
  serving_versions?: string[];
  ready?: boolean;
  /** Why the last change did not take traffic (a version that failed to load). */
  last_error?: string;
  /** Versions taken out of traffic after repeated execution failures (timeout, output cap, crash); cleared by a redeploy. */
  failed_versions?: { version: string; kind: "timeout" | "output-size" | "crash"; reason: string; failed_timestamp: number }[];
  /** "degraded" when what serves differs from what the alias (or pinned primary) names; see degraded_reason. */
  state?: "serving" | "degraded";
  degraded_reason?: string;
  /** The version the followed alias names now (null: none; absent for a pinned deployment). */
  alias_version?: string | null;
  /** Only in a rollback's answer: the evidence on which it skipped approvals. */
  approvals_skipped?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  /** Fields a newer server adds are kept as they came. */
  [field: string]: unknown;
}

export interface DeploymentHistoryEntryWire {
  time: number;
  /** primary, canary or shadow. */
  role?: string;
  from_version?: string | null;
  to_version?: string | null;
  /** create, alias-moved, canary, shadow, promote, rollback, delete. */
  reason: string;
  actor?: string;
  request_id?: string;
  [field: string]: unknown;
}

/** Agreement of a shadow with the primary on mirrored traffic, as the server aggregates it. */
export type ShadowReportWire = Record<string, unknown>;

/** One server process's part of a comparison combined across replicas. */
export interface ShadowReportPart {
  replica: string;
  /** Its last save; absent for the answering process's live counts. */
  updated_timestamp?: number;
  /** Saved by a process that stopped (a restart takes it over and continues it). */
  released: boolean;
  /** A compacted part: dead processes' parts merged into one (`merged_parts` of them). */
  compacted?: boolean;
  merged_parts?: number;
}

/** The shadow report answer whole: the combined report, whether it is live, and which processes counted it. */
export interface ShadowReportAnswer {
  report: ShadowReportWire;
  live: boolean;
  replicas: number;
  parts: ShadowReportPart[];
  updated_timestamp?: number;
}

/** A saved shadow report: the report, and when the server saved it. */
export type SavedShadowReportWire = ShadowReportWire & { updated_timestamp?: number };

export interface CreateDeploymentRequest {
  name: string;
  modelUri: string;
  maxBatchSize?: number;
  maxLatencyMs?: number;
  /** Share (0..1) of requests recorded in the prediction log. */
  predictionLogSampleRate?: number;
  /** Run merged batches on a worker thread (the server's default: false). */
  inferenceWorker?: boolean;
  /** Delete this deployment's logged predictions older than this many seconds (the server's bound still caps it). */
  predictionLogMaxAgeSeconds?: number;
  /** Keep at most this many of this deployment's logged predictions, the newest (the server's bound still caps it). */
  predictionLogMaxRows?: number;
}

/** deployments/update: only the options given change. */
export interface UpdateDeploymentOptions {
  maxBatchSize?: number;
  maxLatencyMs?: number;
  predictionLogSampleRate?: number;
  inferenceWorker?: boolean;
  predictionLogMaxAgeSeconds?: number;
  predictionLogMaxRows?: number;
}

export interface CanaryRequest {
  name: string;
  /** A version number of the deployment's model, or a models:/ URI. */
  version: string;
  weight: number;
  /** Keep each routing key on one version; the server's default is true. */
  sticky?: boolean;
}

export interface ShadowRequest {
  name: string;
  version: string;
  share: number;
}

/** MLflow's scoring input: exactly one of these keys (plus optional params). */
export type MlflowScoringBody =
  | { dataframe_split: { columns?: string[]; index?: unknown[]; data: unknown[][] }; params?: Record<string, unknown> }
  | { dataframe_records: Record<string, unknown>[]; params?: Record<string, unknown> }
  | { instances: unknown; params?: Record<string, unknown> }
  | { inputs: unknown; params?: Record<string, unknown> };

export interface PredictOptions {
  /** Sent as x-request-id: the key under which the prediction log records the request (and labels join it later). */
  requestId?: string;
  /** Sent as x-cairn-routing-key: keeps a sticky canary split on one version for this key. */
  routingKey?: string;
}

export interface ScoringResult {
  /** MLflow's answer: a list for one output, an object of lists for several. */
  predictions: unknown;
  /** The request id the server used (its x-request-id answer header), when it sent one. */
  requestId?: string;
  /** The version that answered (x-cairn-model-version), when the server says. */
  version?: string;
}

export type OipDatatype =
  | "BOOL"
  | "UINT8"
  | "UINT16"
  | "UINT32"
  | "UINT64"
  | "INT8"
  | "INT16"
  | "INT32"
  | "INT64"
  | "FP16"
  | "FP32"
  | "FP64"
  | "BYTES";

export interface OipTensor {
  name: string;
  shape: number[];
  datatype: OipDatatype | string;
  parameters?: Record<string, unknown>;
  /** Row-major, flat or nested. */
  data: unknown[];
}

export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipTensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface OipInferResponse {
  model_name: string;
  model_version?: string;
  id: string;
  parameters?: Record<string, unknown>;
  outputs: OipTensor[];
}

export interface InferOptions extends PredictOptions {
  /** Pins a version (/v2/models/<name>/versions/<v>/infer) instead of letting the traffic policy choose. */
  version?: string;
}

/** One recorded prediction, with its label when one arrived. */
export interface PredictionWire {
  request_id: string;
  deployment: string;
  version: string;
  time: number;
  latency_ms: number;
  inputs: unknown;
  outputs: unknown;
  label?: unknown;
  label_time?: number;
}

export interface ListPredictionsRequest {
  deployment?: string;
  version?: string;
  /** Milliseconds since the epoch. */
  since?: number;
  until?: number;
  maxResults?: number;
  pageToken?: string;
}

export interface LabelRequest {
  requestId: string;
  /** Ground truth for the request: a class, a value, a small object. */
  label: unknown;
  /** When the label became known (ms since the epoch; default: now on the server). */
  time?: number;
}

const enc = encodeURIComponent;

/**
 * The protocol routes answer errors in their own shapes: MLflow scoring as {error_code, message} (which the
 * transport already reads), the Open Inference Protocol as {"error": "..."}. This turns the latter into a readable
 * CairnApiError instead of a JSON snippet.
 */
const readableError = (error: unknown): unknown => {
  if (!(error instanceof CairnApiError) || !error.errorCode.startsWith("HTTP_")) return error;
  try {
    const parsed: unknown = JSON.parse(error.message);
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string") {
      return new CairnApiError(error.status, error.errorCode, (parsed as { error: string }).error, error.request);
    }
  } catch {
    // Not JSON: the snippet is the best message there is.
  }
  return error;
};

/**
 * Cairn's serving: the deployments API (create, canary, shadow, promote, rollback...) and predictions from a
 * deployment through MLflow's scoring protocol (`predict`) or the Open Inference Protocol (`infer`).
 */
export class ServingApi {
  constructor(private readonly http: HttpTransport) {}

  async createDeployment(request: CreateDeploymentRequest): Promise<DeploymentWire> {
    const answer = await this.http.callCairn<{ deployment: DeploymentWire }>("POST", "deployments/create", {
      name: request.name,
      model_uri: request.modelUri,
      max_batch_size: request.maxBatchSize,
      max_latency_ms: request.maxLatencyMs,
      prediction_log_sample_rate: request.predictionLogSampleRate,
      inference_worker: request.inferenceWorker,
      prediction_log_max_age_seconds: request.predictionLogMaxAgeSeconds,
      prediction_log_max_rows: request.predictionLogMaxRows,
    });
    return answer.deployment;
  }

  /**
   * Changes a deployment's options. A batching or worker change loads every served version again and switches
   * without failing a request; a sample rate alone applies at once.
   */
  async updateDeployment(name: string, options: UpdateDeploymentOptions): Promise<DeploymentWire> {
    const answer = await this.http.callCairn<{ deployment: DeploymentWire }>("POST", "deployments/update", {
      name,
      max_batch_size: options.maxBatchSize,
      max_latency_ms: options.maxLatencyMs,
      prediction_log_sample_rate: options.predictionLogSampleRate,
      inference_worker: options.inferenceWorker,
      prediction_log_max_age_seconds: options.predictionLogMaxAgeSeconds,
      prediction_log_max_rows: options.predictionLogMaxRows,
    });
    return answer.deployment;
  }

  async listDeployments(): Promise<DeploymentWire[]> {
    const answer = await this.http.callCairn<{ deployments?: DeploymentWire[] }>("GET", "deployments/list");
    return answer.deployments ?? [];
  }

  async getDeployment(name: string): Promise<DeploymentWire> {
    const answer = await this.http.callCairn<{ deployment: DeploymentWire }>("GET", "deployments/get", { name });
    return answer.deployment;
  }

  /** Sends `weight` of the traffic to another version; the rest stays on the primary. */
  async setCanary(request: CanaryRequest): Promise<DeploymentWire> {
    const isUri = request.version.startsWith("models:/");
    const answer = await this.http.callCairn<{ deployment: DeploymentWire }>("POST", "deployments/canary", {
      name: request.name,
      version: isUri ? undefined : request.version,
      model_uri: isUri ? request.version : undefined,
      weight: request.weight,
      sticky: request.sticky,
    });
    return answer.deployment;
  }

  /** Mirrors `share` of the traffic to a version whose answers are compared with the primary's, never returned. */
  async setShadow(request: ShadowRequest): Promise<DeploymentWire> {
    const answer = await this.http.callCairn<{ deployment: DeploymentWire }>("POST", "deployments/shadow", {
      name: request.name,
      version: request.version,
      share: request.share,
    });
    return answer.deployment;
  }

  /**
   * The canary (or shadow) becomes the primary, through the promotion rules: for a deployment that follows an alias,
   * the alias moves (refused, as CairnApiError, in the rule's own words when unmet); for a pinned one, the rules of
   * deployment:<name>.
   */
  async promote(name: string): Promise<DeploymentWire> {
    return (await this.http.callCairn<{ deployment: DeploymentWire }>("POST", "deployments/promote", { name })).deployment;
  }

  /**
   * Back to the previous primary (through the promotion rules; approvals skipped only for a version that passed them
   * before, said in `approvals_skipped`), or drops the canary/shadow.
   */
  async rollback(name: string): Promise<DeploymentWire> {
    const answer = await this.http.callCairn<{ deployment: DeploymentWire; approvals_skipped?: string }>("POST", "deployments/rollback", { name });
    return answer.approvals_skipped !== undefined ? { ...answer.deployment, approvals_skipped: answer.approvals_skipped } : answer.deployment;
  }

  async deleteDeployment(name: string): Promise<void> {
    await this.http.callCairn("POST", "deployments/delete", { name });
  }

  /** Which version served when: every switch with its reason, oldest first. */
  async history(name: string): Promise<DeploymentHistoryEntryWire[]> {
    const answer = await this.http.callCairn<{ history?: DeploymentHistoryEntryWire[] }>("GET", "deployments/history", { name });
    return answer.history ?? [];
  }

  /**
   * The shadow's comparison with the primary: agreement, differences, latencies, errors. The live one, else (no
   * shadow now, e.g. after a promotion and a restart) the latest one the server saved for this deployment.
   */
  async shadowReport(name: string): Promise<ShadowReportWire> {
    const answer = await this.http.callCairn<{ report?: ShadowReportWire }>("GET", "deployments/shadow-report", { name });
    return answer.report ?? answer;
  }

  /** shadowReport with how fresh it is: how many server processes counted it, and each one's last save. */
  async shadowReportAnswer(name: string): Promise<ShadowReportAnswer> {
    return this.http.callCairn<ShadowReportAnswer>("GET", "deployments/shadow-report", { name });
  }

  /** Every saved shadow comparison of a deployment name, newest first. */
  async shadowReports(name: string): Promise<SavedShadowReportWire[]> {
    const answer = await this.http.callCairn<{ reports?: SavedShadowReportWire[] }>("GET", "deployments/shadow-reports", { name });
    return answer.reports ?? [];
  }

  /** Ground truth for a served request, keyed by its request id (the x-request-id of the prediction). */
  async logLabel(request: LabelRequest): Promise<void> {
    await this.http.callCairn("POST", "serving/labels", { request_id: request.requestId, label: request.label, time: request.time });
  }

  async logLabels(requests: LabelRequest[]): Promise<void> {
    await this.http.callCairn("POST", "serving/labels/batch", {
      labels: requests.map((r) => ({ request_id: r.requestId, label: r.label, time: r.time })),
    });
  }

  /** One page of the prediction log, labels joined. */
  async predictions(request: ListPredictionsRequest = {}): Promise<Page<PredictionWire>> {
    const answer = await this.http.callCairn<{ predictions?: PredictionWire[]; next_page_token?: string }>("GET", "serving/predictions", {
      deployment: request.deployment,
      version: request.version,
      since: request.since,
      until: request.until,
      max_results: request.maxResults,
      page_token: request.pageToken,
    });
    return { items: answer.predictions ?? [], nextPageToken: answer.next_page_token || undefined };
  }

  /** MLflow scoring: POST /deployments/<name>/invocations with a JSON body. */
  async predict(name: string, body: MlflowScoringBody, options: PredictOptions = {}): Promise<ScoringResult> {
    return this.score(name, JSON.stringify(body), "application/json", options);
  }

  /** MLflow scoring with a CSV body (header row of column names), sent as text/csv. */
  async predictCsv(name: string, csv: string, options: PredictOptions = {}): Promise<ScoringResult> {
    return this.score(name, csv, "text/csv", options);
  }

  /** Open Inference Protocol: POST /v2/models/<name>[/versions/<v>]/infer. */
  async infer(name: string, request: OipInferRequest, options: InferOptions = {}): Promise<OipInferResponse> {
    const version = options.version === undefined ? "" : `/versions/${enc(options.version)}`;
    const text = await this.post(`/v2/models/${enc(name)}${version}/infer`, JSON.stringify(request), "application/json", options);
    return JSON.parse(text.body) as OipInferResponse;
  }

  private async score(name: string, body: string, contentType: string, options: PredictOptions): Promise<ScoringResult> {
    const answer = await this.post(`/deployments/${enc(name)}/invocations`, body, contentType, options);
    const parsed = JSON.parse(answer.body) as { predictions: unknown };
    const result: ScoringResult = { predictions: parsed.predictions };
    if (answer.requestId) result.requestId = answer.requestId;
    if (answer.version) result.version = answer.version;
    return result;
  }

  private async post(path: string, body: string, contentType: string, options: PredictOptions): Promise<{ body: string; requestId?: string; version?: string }> {
    const headers: Record<string, string> = { "content-type": contentType };
    if (options.requestId !== undefined) headers["x-request-id"] = options.requestId;
    if (options.routingKey !== undefined) headers["x-cairn-routing-key"] = options.routingKey;
    try {
      const response = await this.http.send({ method: "POST", path, body: () => ({ body, headers }), timeoutMs: 60_000 });
      return {
        body: await response.text(),
        requestId: response.headers.get("x-request-id") ?? undefined,
        version: response.headers.get("x-cairn-model-version") ?? undefined,
      };
    } catch (error) {
      throw readableError(error);
    }
  }
}
