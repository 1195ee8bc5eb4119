import { invalidParameter } from "../../core/errors.js";
import type { Fields } from "../../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import type { Deployment, HistoryEntry } from "./deployment.js";
import type { CombinedShadowReport, ShadowPart } from "./shadow-combine.js";
import type { CandidateTarget, CreateDeploymentOptions, DeploymentService } from "./deployment-service.js";

/** A deployment on the wire (snake_case, as Cairn's other JSON APIs), with what serves right now. */
export const deploymentJson = (d: Deployment, service: DeploymentService): Record<string, unknown> => {
  const live = service.get(d.name);
  const health = service.healthOf(d.name);
  return {
    name: d.name,
    model_uri: d.modelUri,
    model_name: d.modelName,
    primary_version: d.policy.primary,
    ...(d.policy.canary ? { canary: { version: d.policy.canary.version, weight: d.policy.canary.weight, sticky: d.policy.canary.sticky } } : {}),
    ...(d.policy.shadow ? { shadow: { version: d.policy.shadow.version, share: d.policy.shadow.share } } : {}),
    ...(d.followedVersion !== undefined ? { followed_version: d.followedVersion } : {}),
    ...(d.options.maxBatchSize !== undefined ? { max_batch_size: d.options.maxBatchSize } : {}),
    ...(d.options.maxLatencyMs !== undefined ? { max_latency_ms: d.options.maxLatencyMs } : {}),
    prediction_log_sample_rate: d.options.predictionLogSampleRate,
    inference_worker: d.options.inferenceWorker,
    // The deployment's own prediction-log bounds, only when set (otherwise the server's bounds alone apply).
    ...(d.options.predictionLogMaxAgeSeconds !== undefined ? { prediction_log_max_age_seconds: d.options.predictionLogMaxAgeSeconds } : {}),
    ...(d.options.predictionLogMaxRows !== undefined ? { prediction_log_max_rows: d.options.predictionLogMaxRows } : {}),
    serving_versions: live?.versions() ?? [],
    ready: live?.ready() ?? false,
    // "degraded" (with the reason) when what serves differs from what the alias or pinned primary names.
    state: health?.state ?? (live?.ready() ? "serving" : "degraded"),
    ...(health?.reason !== undefined
      ? { degraded_reason: health.reason }
      : health === undefined && !live?.ready()
        ? { degraded_reason: "Not loaded by this server yet (it loads the deployment on its next sync)." }
        : {}),
    ...(health?.aliasVersion !== undefined ? { alias_version: health.aliasVersion } : {}),
    ...(d.lastError !== undefined ? { last_error: d.lastError } : {}),
    // Versions taken out of traffic after repeated execution failures; deleting the deployment clears them.
    failed_versions: (d.failedVersions ?? []).map((f) => ({ version: f.version, kind: f.kind, reason: f.reason, failed_timestamp: f.time })),
    creation_timestamp: d.createdTime,
    last_updated_timestamp: d.lastUpdatedTime,
  };
};

const historyJson = (e: HistoryEntry): Record<string, unknown> => ({
  time: e.time,
  role: e.role,
  from_version: e.from ?? null,
  to_version: e.to ?? null,
  reason: e.reason,
  actor: e.actor.name,
  request_id: e.requestId,
});

/** The options of deployments/create and deployments/update, each only when given. */
const optionFields = (fields: Fields): CreateDeploymentOptions => {
  const maxBatchSize = fields.optionalInt64("max_batch_size");
  const maxLatencyMs = fields.optionalDouble("max_latency_ms");
  const sampleRate = fields.optionalDouble("prediction_log_sample_rate");
  const inferenceWorker = fields.optionalBoolean("inference_worker");
  const maxAgeSeconds = fields.optionalInt64("prediction_log_max_age_seconds");
  const maxRows = fields.optionalInt64("prediction_log_max_rows");
  return {
    ...(maxBatchSize !== undefined ? { maxBatchSize } : {}),
    ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
    ...(sampleRate !== undefined ? { predictionLogSampleRate: sampleRate } : {}),
    ...(inferenceWorker !== undefined ? { inferenceWorker } : {}),
    ...(maxAgeSeconds !== undefined ? { predictionLogMaxAgeSeconds: maxAgeSeconds } : {}),
    ...(maxRows !== undefined ? { predictionLogMaxRows: maxRows } : {}),
  };
};

/**
 * The replicas' parts of a combined report on the wire: whose, when last saved (absent: the answering process's live
 * counts); a compacted part says so, and how many processes' parts it merged.
 */
const partsJson = (parts: readonly ShadowPart[]): Array<Record<string, unknown>> =>
  parts.map((p) => ({
    replica: p.replica,
    ...(p.updatedTime !== undefined ? { updated_timestamp: p.updatedTime } : {}),
    released: p.released,
    ...(p.mergedParts !== undefined ? { compacted: true, merged_parts: p.mergedParts } : {}),
  }));

/** A saved comparison on the wire: the report as deployments/shadow-report gives it, when last saved, and its parts. */
const savedReportJson = (saved: CombinedShadowReport): Record<string, unknown> => ({
  ...saved.report,
  ...(saved.updatedTime !== undefined ? { updated_timestamp: saved.updatedTime } : {}),
  replicas: saved.replicas,
  parts: partsJson(saved.parts),
});

/** A canary or shadow target: exactly one of `version` (a JSON string or integer) and `model_uri`. */
const candidate = (fields: Fields): CandidateTarget => {
  const raw = fields.rawValue("version");
  const version = typeof raw === "number" && Number.isSafeInteger(raw) && raw > 0 ? String(raw) : fields.has("version") ? fields.requiredString("version") : undefined;
  const modelUri = fields.optionalString("model_uri");
  if ((version === undefined) === (modelUri === undefined)) {
    throw invalidParameter("Exactly one of 'version' and 'model_uri' must be given to name the candidate version.");
  }
  return version !== undefined ? { version } : { modelUri: modelUri as string };
};

/** Cairn's deployments API, registered as cairnEndpoints (/api/2.0/cairn/deployments/...). */
export const deploymentRoutes = (service: DeploymentService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "deployments/create",
    handle: async (fields, ctx) => {
      const created = await service.create(fields.requiredString("name"), fields.requiredString("model_uri"), optionFields(fields), ctx);
      return { deployment: deploymentJson(created, service) };
    },
  },
  {
    methods: ["POST"],
    path: "deployments/update",
    handle: async (fields, ctx) => {
      const name = fields.requiredString("name");
      return { deployment: deploymentJson(await service.update(name, optionFields(fields), ctx), service) };
    },
  },
  {
    methods: ["GET"],
    path: "deployments/list",
    handle: async () => ({ deployments: (await service.listDeployments()).map((d) => deploymentJson(d, service)) }),
  },
  {
    methods: ["GET"],
    path: "deployments/get",
    handle: async (fields) => ({ deployment: deploymentJson(await service.getDeployment(fields.requiredString("name")), service) }),
  },
  {
    methods: ["POST"],
    path: "deployments/canary",
    handle: async (fields, ctx) => {
      const target = candidate(fields);
      const updated = await service.setCanary(fields.requiredString("name"), target, fields.requiredDouble("weight"), fields.optionalBoolean("sticky") ?? true, ctx);
      return { deployment: deploymentJson(updated, service) };
    },
  },
  {
    methods: ["POST"],
    path: "deployments/shadow",
    handle: async (fields, ctx) => {
      const target = candidate(fields);
      const updated = await service.setShadow(fields.requiredString("name"), target, fields.requiredDouble("share"), ctx);
      return { deployment: deploymentJson(updated, service) };
    },
  },
  {
    methods: ["POST"],
    path: "deployments/promote",
    handle: async (fields, ctx) => ({ deployment: deploymentJson(await service.promote(fields.requiredString("name"), ctx), service) }),
  },
  {
    methods: ["POST"],
    path: "deployments/rollback",
    handle: async (fields, ctx) => {
      const result = await service.rollback(fields.requiredString("name"), ctx);
      return { deployment: deploymentJson(result, service), ...(result.approvalsSkipped !== undefined ? { approvals_skipped: result.approvalsSkipped } : {}) };
    },
  },
  {
    methods: ["POST", "DELETE"],
    path: "deployments/delete",
    handle: async (fields, ctx) => {
      await service.delete(fields.requiredString("name"), ctx);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "deployments/history",
    handle: async (fields) => ({ history: (await service.history(fields.requiredString("name"))).map(historyJson) }),
  },
  {
    methods: ["GET"],
    path: "deployments/shadow-report",
    handle: async (fields) => {
      const current = await service.currentReport(fields.requiredString("name"));
      return {
        report: current.report,
        live: current.live,
        ...(current.updatedTime !== undefined ? { updated_timestamp: current.updatedTime } : {}),
        replicas: current.replicas,
        parts: partsJson(current.parts),
      };
    },
  },
  {
    methods: ["GET"],
    path: "deployments/shadow-reports",
    handle: async (fields) => ({ reports: (await service.shadowReports(fields.requiredString("name"))).map(savedReportJson) }),
  },
];
