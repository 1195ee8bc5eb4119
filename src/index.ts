/** Cairn's public API: the SDK client, its errors and options, and the MLflow wire types it speaks. */
export { CairnClient, type CairnClientOptions, type StartRunOptions } from "./sdk/client.js";
export { ActiveRun, RunLogError, type ActiveRunOptions } from "./sdk/active-run.js";
export { CairnApiError, CairnConnectionError } from "./sdk/errors.js";
export type { RetryOptions } from "./sdk/retry.js";
export { ExperimentsApi, type CreateExperimentRequest, type SearchExperimentsRequest } from "./sdk/experiments-api.js";
export {
  RunsApi,
  type CreateRunRequest,
  type LogBatchRequest,
  type MetricHistoryBulkIntervalRequest,
  type MetricOptions,
  type SearchRunsRequest,
  type UpdateRunRequest,
} from "./sdk/runs-api.js";
export { ArtifactsApi, type ArtifactListing } from "./sdk/artifacts-api.js";
export { BATCH_LIMITS } from "./sdk/log-buffer.js";
export {
  LoggedModelsApi,
  parseLoggedModelOrderBy,
  type CreateLoggedModelRequest,
  type LoggedModelArtifacts,
  type LoggedModelOrderBy,
  type SearchLoggedModelsRequest,
} from "./sdk/logged-models-api.js";
export {
  AssessmentsApi,
  TracesApi,
  durationMs,
  expectationValue,
  type AssessmentError,
  type AssessmentSource,
  type DeleteTracesRequest,
  type LogExpectationRequest,
  type LogFeedbackRequest,
  type SearchTracesRequest,
  type Trace,
  type UpdateAssessmentRequest,
} from "./sdk/traces-api.js";
export { parseTraceData, spanDurationMs, spanTree, type SpanNode, type SpanStatusCode, type TraceSpan, type TraceSpanEvent } from "./sdk/trace-spans.js";
export type { AssessmentJson as Assessment, TraceInfoV3Json as TraceInfoV3 } from "./tracing/wire-writers.js";
export type { AssessmentSourceType, JsonValue, TraceState } from "./tracing/trace.js";
export {
  RegistryApi,
  type CreateModelVersionRequest,
  type CreateRegisteredModelRequest,
  type SearchModelVersionsRequest,
  type SearchRegisteredModelsRequest,
  type VersionRef,
} from "./sdk/registry-api.js";
export {
  GovernanceApi,
  type ApprovalWire,
  type DatasetUsage,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  type LineageNodeType,
  type MetricThresholdWire,
  type ModelCard,
  type ModelCardInput,
  type PromotionCheck,
  type PromotionRuleWire,
  type SetPromotionRuleRequest,
  type ThresholdComparator,
} from "./sdk/governance-api.js";
export { AuditApi, type AliasChange, type AuditEvent, type AuditProblem, type AuditVerification, type ListAuditEventsRequest } from "./sdk/audit-api.js";
export {
  WebhooksApi,
  type CreateWebhookRequest,
  type DeliveryStatusWire,
  type DeliveryWire,
  type ListDeliveriesRequest,
  type UpdateWebhookRequest,
  type WebhookEventType,
  type WebhookWire,
} from "./sdk/webhooks-api.js";
export {
  signMlflowWebhookPayload,
  signWebhookPayload,
  verifyMlflowWebhookSignature,
  verifyWebhookSignature,
} from "./sdk/webhook-signature.js";
export {
  ServingApi,
  type CanaryRequest,
  type CanaryWire,
  type CreateDeploymentRequest,
  type DeploymentHistoryEntryWire,
  type DeploymentWire,
  type InferOptions,
  type LabelRequest,
  type ListPredictionsRequest,
  type MlflowScoringBody,
  type OipDatatype,
  type OipInferRequest,
  type OipInferResponse,
  type OipTensor,
  type PredictionWire,
  type PredictOptions,
  type ScoringResult,
  type ShadowReportAnswer,
  type ShadowReportPart,
  type ShadowReportWire,
  type ShadowRequest,
  type ShadowWire,
} from "./sdk/serving-api.js";
export type { Actor } from "./core/actor.js";
export type { Page } from "./sdk/paging.js";
export type {
  Dataset,
  DatasetInput,
  Experiment,
  ExperimentTag,
  FileInfo,
  InputTag,
  KeyValue,
  LifecycleStage,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunData,
  RunInfo,
  RunInputs,
  RunStatus,
  RunTag,
  ViewType,
} from "./protocol/mlflow/entities.js";
export type {
  ModelStage,
  ModelVersion,
  ModelVersionStatus,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelTag,
} from "./protocol/mlflow/registry-entities.js";
export { MODEL_STAGES } from "./protocol/mlflow/registry-entities.js";
export type {
  LoggedModel,
  LoggedModelData,
  LoggedModelInfo,
  LoggedModelMetric,
  LoggedModelParameter,
  LoggedModelRegistrationInfo,
  LoggedModelStatus,
  LoggedModelTag,
  ModelInput,
  ModelOutput,
} from "./protocol/mlflow/logged-model-entities.js";
export { LOGGED_MODEL_STATUSES } from "./protocol/mlflow/logged-model-entities.js";
export { RUN_STATUSES, VIEW_TYPES, SystemTag, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME } from "./protocol/mlflow/entities.js";
