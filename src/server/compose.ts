import { ArtifactService } from "../artifacts/service.js";
import { ArtifactQuotas, DEFAULT_MAX_ARTIFACT_FILE_BYTES, DEFAULT_MAX_EXPERIMENT_ARTIFACT_BYTES, type ArtifactQuotaLimits } from "../artifacts/upload-quota.js";
import { fanOutEvents } from "../core/events.js";
import { AdaptiveBatcher } from "../serving/batching/adaptive-batcher.js";
import { artifactMaterializer } from "../serving/deployments/artifact-materializer.js";
import { IntegrityService } from "../registry/integrity/integrity-service.js";
import { DeploymentLineage } from "../serving/deployments/deployment-lineage.js";
import { auditGateEvidence } from "../serving/deployments/deployment-gate.js";
import { DeploymentService } from "../serving/deployments/deployment-service.js";
import { retentionBounds } from "../serving/deployments/deployment-rules.js";
import { deploymentRoutes } from "../serving/deployments/routes.js";
import { instrumentServedModels } from "../serving/metrics/instrumented-models.js";
import { metricsRoute } from "../serving/metrics/metrics-route.js";
import { ServingMetrics } from "../serving/metrics/serving-metrics.js";
import { loadModel } from "../serving/model/load-model.js";
import type { ModelLoadOptions } from "../serving/model/loaded-model.js";
import { DEFAULT_RETENTION_MAX_AGE_MS, DEFAULT_RETENTION_MAX_ROWS, PredictionLog } from "../serving/prediction-log/prediction-log.js";
import { predictionLogRoutes } from "../serving/prediction-log/routes.js";
import type { CodecPoolOptions } from "../serving/codec-pool/codec-pool.js";
import { servingRoutes } from "../serving/routes.js";
import { ProfileAttachments } from "../validation/profile/profile-attachments.js";
import { profileRoutes } from "../validation/profile/profile-routes.js";
import { SuiteParserThread } from "../validation/suite/parse-suite-off-thread.js";
import { artifactRoutes } from "../artifacts/routes.js";
import type { ArtifactStore } from "../artifacts/store.js";
import { AuditService } from "../audit/service.js";
import { noAudit } from "../audit/recorder.js";
import { auditRoutes } from "../audit/routes.js";
import { governanceRoutes } from "../registry/governance-routes.js";
import { LineageService } from "../registry/lineage/lineage-service.js";
import { DataObjectReader } from "../pipelines/server/data-versions-manifest.js";
import { dataVersionRoutes } from "../pipelines/server/data-versions-routes.js";
import { DataVersionService } from "../pipelines/server/data-versions-service.js";
import { ModelCardService } from "../registry/model-cards/model-card-service.js";
import { PromotionService } from "../registry/promotion/promotion-service.js";
import { registryRoutes } from "../registry/routes.js";
import { RegistryService } from "../registry/service.js";
import type { MetadataStores } from "../stores/metadata-stores.js";
import { artifactReferenceOpener } from "../monitoring/monitors/artifact-references.js";
import { deploymentModels } from "../monitoring/monitors/deployment-models.js";
import { registeredSignature } from "../monitoring/monitors/registered-signature.js";
import { monitorEngines } from "../monitoring/monitors/engines.js";
import { MonitorGauges } from "../monitoring/monitors/monitor-gauges.js";
import { MonitorService } from "../monitoring/monitors/monitor-service.js";
import { monitorRoutes } from "../monitoring/monitors/routes.js";
import { LoggedModelService } from "../tracking/logged-models/logged-model-service.js";
import { loggedModelEndpoints } from "../tracking/logged-models/routes.js";
import { trackingEndpoints } from "../tracking/routes.js";
import { TrackingService } from "../tracking/service.js";
import { DEFAULT_TRACE_JSON_MAX_BYTES } from "../tracing/limits.js";
import { tracingEndpoints } from "../tracing/routes.js";
import { TraceService } from "../tracing/service.js";
import { traceJsonUploadLimit } from "../tracing/trace-json-limit.js";
import { withTraceDataInDatabase } from "../stores/artifact-stores/trace-data-overlay.js";
import { WebhookService } from "../webhooks/service.js";
import { webhookRoutes } from "../webhooks/routes.js";
import { mlflowWebhookRoutes } from "../webhooks/mlflow-routes.js";
import type { TargetPolicyOptions } from "../webhooks/target-policy.js";
import type { Authorizer } from "../auth/permissions/authorizer.js";
import { composePermissions, permissionFollower } from "../auth/permissions/compose-permissions.js";
import type { PermissionName } from "../auth/permissions/permission.js";
import { approverEndpoints, MAX_GRANTS_LISTED, permissionEndpoints } from "../auth/permissions/routes.js";
import type { DomainRoutes } from "./app.js";
import { composeAuth, type AuthComposeOptions, type ComposedAuth } from "../auth/compose-auth.js";
import { dataObjectRoutes } from "../pipelines/server/routes.js";
import { DataObjectService } from "../pipelines/server/service.js";

/** MLflow's proxy mode: run artifacts live under mlflow-artifacts:/ and travel through this server. */
export const PROXIED_ARTIFACT_ROOT = "mlflow-artifacts:";

export interface ComposedDomains {
  domains: DomainRoutes[];
  /** Authorization's hooks (they do nothing for requests without a principal, i.e. with auth off). */
  authorizer: Authorizer;
  /** Background work (webhook deliveries, deployments following aliases, the prediction log) while the server runs. */
  start(): Promise<void>;
  /** Stops background work; call before the stores close. */
  stop(): Promise<void>;
  /** Users, tokens and sessions; `auth.authentication` is buildApp's `auth` when `--auth` is on. */
  auth: ComposedAuth;
  /** Resolves when the deployments start() began loading are loaded (or failed): start() does not wait for them. */
  deploymentsLoaded(): Promise<void>;
}

export interface ComposeOptions {
  /** Where deployments keep the local copies of the model versions they serve. */
  modelCacheDir: string;
  /** Where monitors keep local copies of their reference data files (read from the artifact store). */
  referenceCacheDir: string;
  /** Reported by the Open Inference Protocol's GET /v2. */
  serverVersion: string;
  /** Largest traces.json accepted through the artifact routes (default DEFAULT_TRACE_JSON_MAX_BYTES). */
  traceJsonMaxBytes?: number;
  /** Upload quotas per file and per experiment folder (0: none); default 5 GiB per file, no experiment quota. */
  artifactQuotas?: Partial<ArtifactQuotaLimits>;
  /** Largest scoring request body of the deployments' scoring routes (default DEFAULT_MAX_BODY_BYTES). */
  maxScoringBodyBytes?: number;
  /** Worker threads, inline thresholds and queue bounds of the scoring codec pool (defaults in codec-pool.ts). */
  scoringCodecs?: CodecPoolOptions;
  /** Webhook target rules (SSRF): the operator's allowlist of internal receivers and whether plain http is accepted. */
  webhookTargets?: TargetPolicyOptions;
  /** Prediction-log bounds; each defaults (30 days, 1,000,000 rows, 64 KiB per record; retention checked each minute). */
  predictionLog?: { maxAgeMs?: number; maxRows?: number; maxRecordBytes?: number; retentionIntervalMs?: number };
  /** The permission of a user without an explicit grant (`--default-permission`); default READ, as MLflow. */
  defaultPermission?: PermissionName;
  /** Where failures of background work go (the server's logger). */
  onBackgroundError?: (error: unknown, what: string) => void;
  /** Authentication (`--auth` and its flags); default off. */
  auth?: AuthComposeOptions;
  /** Run-data digests of the audit trail, and the benchmark-only switch that leaves tracking writes unaudited. */
  audit?: { digestEveryWrites?: number; digestIntervalMs?: number; trackingAuditOff?: boolean };
  /** How models run: the thread budget and the executors' limits (timeout, output cap). */
  modelLoad?: ModelLoadOptions;
  /** false: no warm standby per deployment (`--no-deployment-standby`); default true. */
  deploymentStandby?: boolean;
}

/**
 * Builds every domain's service over the opened stores and returns their routes: the one place that knows how the
 * domains depend on each other (audit under everything, webhooks as the registry's event sink, governance as its
 * promotion gate and as a follower of renames and deletes).
 */
export const composeDomains = (stores: MetadataStores, artifactStore: ArtifactStore, options: ComposeOptions): ComposedDomains => {
  const onError = options.onBackgroundError ? { onError: options.onBackgroundError } : {};
  const audit = new AuditService(stores.audit, {
    digests: {
      ...(options.audit?.digestEveryWrites !== undefined ? { everyWrites: options.audit.digestEveryWrites } : {}),
      ...(options.audit?.digestIntervalMs !== undefined ? { intervalMs: options.audit.digestIntervalMs } : {}),
    },
    ...onError,
  });
  const tracking = new TrackingService(stores.tracking, {
    defaultArtifactRoot: PROXIED_ARTIFACT_ROOT,
    audit: options.audit?.trackingAuditOff === true ? noAudit : audit,
  });
  const traceJsonMaxBytes = options.traceJsonMaxBytes ?? DEFAULT_TRACE_JSON_MAX_BYTES;
  // Registered versions' files are pinned by sha256: checked by downloads, serving and artifact writes.
  const integrity = stores.manifests !== undefined ? new IntegrityService(stores.manifests, artifactStore, { audit }) : undefined;
  // Each trace's traces.json is kept with the trace in the database; every other artifact in the artifact store.
  const artifactFiles = withTraceDataInDatabase(artifactStore, stores.traces, { maxBytes: traceJsonMaxBytes });
  const artifacts = new ArtifactService(artifactFiles, {
    resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId),
    audit,
    ...(integrity !== undefined ? { integrity } : {}),
    uploadLimit: traceJsonUploadLimit(traceJsonMaxBytes),
    quotas: new ArtifactQuotas(artifactFiles, {
      maxFileBytes: options.artifactQuotas?.maxFileBytes ?? DEFAULT_MAX_ARTIFACT_FILE_BYTES,
      maxExperimentBytes: options.artifactQuotas?.maxExperimentBytes ?? DEFAULT_MAX_EXPERIMENT_ARTIFACT_BYTES,
    }),
  });
  const loggedModels = new LoggedModelService(stores.loggedModels, { tracking: stores.tracking, audit });
  const traces = new TraceService(stores.traces, { experiments: tracking, audit });
  const webhooks = new WebhookService(stores.webhooks, {
    audit,
    ...onError,
    ...(options.webhookTargets !== undefined ? { targets: options.webhookTargets } : {}),
  });
  const promotion = new PromotionService(stores.governance, stores.registry, stores.tracking, {
    audit,
    verifiedApprovalsOnly: options.auth?.enabled === true,
  });

  const metrics = new ServingMetrics();
  const logBounds = options.predictionLog ?? {};
  const predictionLog = new PredictionLog(stores.predictions, {
    retention: {
      maxAgeMs: logBounds.maxAgeMs ?? DEFAULT_RETENTION_MAX_AGE_MS,
      maxRows: logBounds.maxRows ?? DEFAULT_RETENTION_MAX_ROWS,
      ...(logBounds.retentionIntervalMs !== undefined ? { intervalMs: logBounds.retentionIntervalMs } : {}),
      // Deployments' own bounds (prediction_log_max_age_seconds, prediction_log_max_rows), tighter than the server's.
      deploymentBounds: async () => retentionBounds(await stores.deployments.list()),
    },
    ...(logBounds.maxRecordBytes !== undefined ? { maxRecordBytes: logBounds.maxRecordBytes } : {}),
    onDropped: metrics.predictionLogDroppedBy,
    ...(options.onBackgroundError ? { onError: (error: unknown) => options.onBackgroundError?.(error, "prediction log") } : {}),
  });
  // Deployments resolve models through the registry, and the registry announces alias moves to deployments.
  const late: { registry?: RegistryService } = {};
  const registryOf = (): RegistryService => {
    if (late.registry === undefined) throw new Error("the registry is not composed yet");
    return late.registry;
  };
  const deployments = new DeploymentService(stores.deployments, {
    registry: {
      resolveModelUri: (uri) => registryOf().resolveModelUri(uri),
      getModelVersion: (name, version) => registryOf().getModelVersion(name, version),
      // The one gate: a deployment's promote and rollback move its alias, or pass its own target, through the registry.
      setAlias: (name, alias, version, ctx, change) => registryOf().setAlias(name, alias, version, ctx, change),
      requirePromotion: (version, target, ctx, change) => registryOf().requirePromotion(version, target, ctx, change),
    },
    evidence: auditGateEvidence(audit),
    events: webhooks,
    onHealth: (deployment, health) => metrics.deploymentHealth(deployment, health),
    materialize: artifactMaterializer({
      store: artifactStore,
      downloadUri: (name, version) => registryOf().getModelVersionDownloadUri(name, version),
      cacheDir: options.modelCacheDir,
      ...(integrity !== undefined ? { integrity } : {}),
    }),
    loadModel,
    ...(options.modelLoad !== undefined ? { loadOptions: options.modelLoad } : {}),
    ...(options.deploymentStandby === false ? { standby: false } : {}),
    wrap: (model, deployment, served) =>
      new AdaptiveBatcher(
        model,
        {
          ...(deployment.maxBatchSize !== undefined ? { maxBatchSize: deployment.maxBatchSize } : {}),
          ...(deployment.maxLatencyMs !== undefined ? { maxLatencyMs: deployment.maxLatencyMs } : {}),
        },
        metrics.batchObserver(served.deployment, served.version),
      ),
    onLoaded: (deployment, version, seconds) => metrics.observeModelLoad(deployment, version, seconds),
    audit,
    onServed: (served, deployment) => {
      predictionLog.record(
        {
          deployment: served.deployment,
          version: served.version,
          time: Date.now(),
          latencyMs: served.latencyMs,
          requestId: served.context.requestId,
          inputs: served.feeds,
          outputs: served.outputs,
        },
        deployment.predictionLogSampleRate,
      );
    },
    ...onError,
  });
  // The registry reads logged models through its own port (registration by model id), not tracking's service type.
  const loggedModelLookup = { getLoggedModel: (modelId: string) => loggedModels.get(modelId) };
  const registry = new RegistryService(stores.registry, {
    tracking: stores.tracking,
    loggedModels: loggedModelLookup,
    audit,
    events: fanOutEvents(webhooks, deployments),
    promotion,
    followers: [stores.governance, permissionFollower(stores.permissions)],
    ...(integrity !== undefined ? { integrity } : {}),
  });
  late.registry = registry;
  const lineage = new LineageService(stores.registry, stores.tracking, {
    contributors: [new DeploymentLineage(deployments)],
    loggedModels: loggedModelLookup,
    ...(stores.dataVersions !== undefined ? { dataVersions: stores.dataVersions } : {}),
  });
  const dataVersions = new DataVersionService({
    ...(stores.dataVersions !== undefined ? { store: stores.dataVersions } : {}),
    tracking: stores.tracking,
    registry: stores.registry,
    objects: new DataObjectReader(artifactStore),
  });
  const cards = new ModelCardService(stores.governance, stores.registry, stores.tracking, { audit });
  const profiles = new ProfileAttachments(tracking, artifacts, registry);
  const suiteParser = new SuiteParserThread();
  const monitors = new MonitorService(stores.monitors, {
    deps: {
      predictions: stores.predictions,
      ...deploymentModels({
        store: stores.deployments,
        signature: registeredSignature({ store: artifactStore, downloadUri: (name, version) => registry.getModelVersionDownloadUri(name, version) }),
        profiles,
      }),
      ...monitorEngines({ openReference: artifactReferenceOpener(artifactStore, options.referenceCacheDir), suiteParser }),
    },
    audit,
    events: webhooks,
    gauges: new MonitorGauges(metrics.registry),
    ...onError,
  });
  const permissions = composePermissions(
    stores.permissions,
    { tracking, trackingStore: stores.tracking, loggedModels, traces, registry, deployments, monitors, predictions: stores.predictions, audit },
    {
      ...(options.defaultPermission !== undefined ? { defaultPermission: options.defaultPermission } : {}),
      users: { userIdOf: async (username) => (await stores.auth.getUser(username))?.id },
    },
  );

  // `cairn push`/`pull`: content-addressed data objects in the artifact store (issue 13), capped as artifact files are.
  const maxObjectBytes = options.artifactQuotas?.maxFileBytes ?? DEFAULT_MAX_ARTIFACT_FILE_BYTES;
  const dataObjects = new DataObjectService(artifactStore, stores.tracking, { audit, maxObjectBytes: maxObjectBytes > 0 ? maxObjectBytes : Number.MAX_SAFE_INTEGER });

  const auth = composeAuth(stores.auth, audit, {
    ...(options.auth ?? { enabled: false }),
    userPermissions: async (username) =>
      permissions.service.grantsOf(username, (await stores.auth.getUser(username))?.id ?? 0, MAX_GRANTS_LISTED),
  });

  return {
    auth,
    authorizer: permissions.authorizer,
    domains: [
      auth.domain,
      { endpoints: [...trackingEndpoints(tracking), ...loggedModelEndpoints(loggedModels, artifacts)] },
      { endpoints: tracingEndpoints(traces) },
      artifactRoutes(artifacts),
      dataObjectRoutes(dataObjects),
      { endpoints: registryRoutes(registry) },
      { endpoints: mlflowWebhookRoutes(webhooks) },
      { endpoints: permissionEndpoints(permissions.service), cairnEndpoints: approverEndpoints(permissions.service) },
      {
        cairnEndpoints: [
          ...auditRoutes(audit),
          ...governanceRoutes(promotion, lineage, cards),
          ...webhookRoutes(webhooks),
          ...deploymentRoutes(deployments),
          ...predictionLogRoutes(stores.predictions),
          ...profileRoutes(profiles),
          ...monitorRoutes(monitors),
          ...dataVersionRoutes(dataVersions),
        ],
      },
      servingRoutes(instrumentServedModels(deployments, metrics), {
        mountDeployments: true,
        serverName: "cairn",
        serverVersion: options.serverVersion,
        ...(options.maxScoringBodyBytes !== undefined ? { maxBodyBytes: options.maxScoringBodyBytes } : {}),
        ...(options.scoringCodecs !== undefined ? { codecs: options.scoringCodecs } : {}),
      }),
      metricsRoute(metrics.registry),
    ],
    start: async () => {
      audit.start();
      webhooks.start();
      predictionLog.start();
      await deployments.start();
      monitors.start();
    },
    deploymentsLoaded: () => deployments.loaded(),
    stop: async () => {
      await monitors.stop();
      await deployments.stop();
      await predictionLog.stop();
      await webhooks.stop();
      await audit.stop();
      await suiteParser.close();
    },
  };
};
