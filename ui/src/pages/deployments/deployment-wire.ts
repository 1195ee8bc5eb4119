import { cairnGet, cairnPost } from "../../api/http";
import type { LatencySummary as LatencySummaryWire, ShadowReport as ShadowReportWire } from "../../../../src/serving/deployments/shadow-report";

/**
 * The deployments API as src/serving/deployments/routes.ts serves it. The deployment and history shapes are written
 * out here because the server builds them inline (deploymentJson, historyJson) with no named type to import; the
 * shadow report is shadow-report.ts's own ShadowReport, imported as a type only (no server code is bundled).
 */
export interface CanaryWire {
  version: string;
  /** Share of requests (0..1) the canary answers. */
  weight: number;
  sticky: boolean;
}

export interface ShadowWire {
  version: string;
  /** Share of requests (0..1) also run on the shadow after the primary answered. */
  share: number;
}

export interface DeploymentWire {
  name: string;
  model_uri: string;
  model_name: string;
  primary_version: string;
  canary?: CanaryWire;
  shadow?: ShadowWire;
  /** The version the alias named when last followed; absent for a pinned URI. */
  followed_version?: string;
  max_batch_size?: number;
  max_latency_ms?: number;
  prediction_log_sample_rate: number;
  /** Merged batches run on a worker thread (servers before deployments/update do not send it). */
  inference_worker?: boolean;
  /** The deployment's own prediction-log bounds; absent: only the server's bounds apply. */
  prediction_log_max_age_seconds?: number;
  prediction_log_max_rows?: number;
  /** Versions loaded and answering in the server that answered, primary first. */
  serving_versions: string[];
  ready: boolean;
  /** Why the last change did not take traffic, until the next successful change. */
  last_error?: string;
  /** "degraded" when what serves differs from what the alias (or pinned primary) names; older servers send none. */
  state?: "serving" | "degraded";
  degraded_reason?: string;
  /** The version the followed alias names now (null: none); absent for a pinned deployment. */
  alias_version?: string | null;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export type DeploymentRole = "primary" | "canary" | "shadow";

export interface HistoryEntryWire {
  time: number;
  role: DeploymentRole;
  from_version: string | null;
  to_version: string | null;
  /** create, alias-moved, promote, rollback, canary, shadow, delete. */
  reason: string;
  actor: string;
  request_id: string;
}

/** The shadow comparison report is the server's own type (a type-only import: nothing of the server is bundled). */
export type { LatencySummaryWire, ShadowReportWire };

/** One server process's part of a comparison: when it was last saved (absent: the answering server's live counts). */
export interface ShadowPartWire {
  replica: string;
  updated_timestamp?: number;
  released: boolean;
}

/** The comparison as every replica counted it: `replicas` processes contributed, each part saved at its own time. */
export interface CurrentShadowReportWire {
  report: ShadowReportWire;
  live: boolean;
  updated_timestamp?: number;
  replicas?: number;
  parts?: ShadowPartWire[];
}

/** One of deployments/shadow-reports: a saved comparison (also of shadows that ended), newest first. */
export interface SavedShadowReportWire extends ShadowReportWire {
  updated_timestamp?: number;
  replicas?: number;
  parts?: ShadowPartWire[];
}

/** One logged request (serving/predictions); inputs and outputs are left out of the UI's type on purpose. */
export interface PredictionWire {
  request_id: string;
  deployment: string;
  version: string;
  time: number;
  latency_ms: number;
  label?: unknown;
}

export const deploymentKeys = {
  all: ["deployments"] as const,
  list: () => ["deployments", "list"] as const,
  one: (name: string) => ["deployments", "get", name] as const,
  history: (name: string) => ["deployments", "history", name] as const,
  shadowReport: (name: string) => ["deployments", "shadow-report", name] as const,
  shadowReports: (name: string) => ["deployments", "shadow-reports", name] as const,
  predictions: (name: string, period: string) => ["deployments", "predictions", name, period] as const,
};

export const listDeployments = async (signal?: AbortSignal): Promise<DeploymentWire[]> =>
  (await cairnGet<{ deployments?: DeploymentWire[] }>("deployments/list", undefined, signal)).deployments ?? [];

export const getDeployment = async (name: string, signal?: AbortSignal): Promise<DeploymentWire> =>
  (await cairnGet<{ deployment: DeploymentWire }>("deployments/get", { name }, signal)).deployment;

export const getDeploymentHistory = async (name: string, signal?: AbortSignal): Promise<HistoryEntryWire[]> =>
  (await cairnGet<{ history?: HistoryEntryWire[] }>("deployments/history", { name }, signal)).history ?? [];

/** Answers an error when the deployment never had a shadow: ask only when it has one. */
export const getShadowReport = (name: string, signal?: AbortSignal): Promise<CurrentShadowReportWire> =>
  cairnGet<CurrentShadowReportWire>("deployments/shadow-report", { name }, signal);

/** Every saved comparison of the deployment (empty, not an error, when it never had a shadow). */
export const listShadowReports = async (name: string, signal?: AbortSignal): Promise<SavedShadowReportWire[]> =>
  (await cairnGet<{ reports?: SavedShadowReportWire[] }>("deployments/shadow-reports", { name }, signal)).reports ?? [];

export type DeploymentAction = "promote" | "rollback";

export const runDeploymentAction = async (action: DeploymentAction, name: string): Promise<DeploymentWire> =>
  (await cairnPost<{ deployment: DeploymentWire }>(`deployments/${action}`, { name })).deployment;

/** The most a page of serving/predictions holds. */
export const PREDICTIONS_PAGE = 1000;

export interface PredictionsPage {
  predictions: PredictionWire[];
  /** More predictions follow in the period than one page holds. */
  more: boolean;
}

/** The log reads oldest first from `since`; the caller shows the newest of the page. */
export const listPredictions = async (deployment: string, since: number, signal?: AbortSignal): Promise<PredictionsPage> => {
  const page = await cairnGet<{ predictions?: PredictionWire[]; next_page_token?: string }>(
    "serving/predictions",
    { deployment, since, max_results: PREDICTIONS_PAGE },
    signal,
  );
  return { predictions: page.predictions ?? [], more: page.next_page_token !== undefined };
};
