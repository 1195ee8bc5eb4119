import type { AuditRecorder } from "../../audit/recorder.js";
import type { MonitorService } from "../../monitoring/monitors/monitor-service.js";
import type { RegistryFollower } from "../../registry/registry-writes.js";
import type { RegistryService } from "../../registry/service.js";
import type { DeploymentService } from "../../serving/deployments/deployment-service.js";
import type { PredictionLogStore } from "../../serving/prediction-log/store.js";
import type { LoggedModelService } from "../../tracking/logged-models/logged-model-service.js";
import { findRunInfo } from "../../tracking/active-entities.js";
import type { TrackingService } from "../../tracking/service.js";
import type { TrackingStore } from "../../tracking/store.js";
import type { TraceService } from "../../tracing/service.js";
import { Authorizer } from "./authorizer.js";
import type { PermissionName } from "./permission.js";
import { PermissionService, type UserDirectory } from "./permission-service.js";
import { POLICY_TABLE } from "./policy-table.js";
import type { ResourceLookup } from "./resources.js";
import type { PermissionStore } from "./store.js";

/** The domain services authorization reads resources through (each lookup throws the domain's own 400/404). */
export interface PermissionDomains {
  tracking: TrackingService;
  /** For the run -> experiment lookup of every run write: the run's info row only, not its metrics and params. */
  trackingStore: Pick<TrackingStore, "getRunInfo">;
  loggedModels: LoggedModelService;
  traces: TraceService;
  registry: RegistryService;
  deployments: DeploymentService;
  monitors: MonitorService;
  predictions: PredictionLogStore;
  audit: AuditRecorder;
}

/** Until authentication provides its user store, no user exists (grants to users can then not be made). */
export const NO_USERS: UserDirectory = { userIdOf: async () => undefined };

export const resourceLookup = (domains: PermissionDomains): ResourceLookup => ({
  experimentOfRun: async (runId) => (await findRunInfo(domains.trackingStore, runId)).experiment_id,
  experimentByName: async (name) => (await domains.tracking.getExperimentByName(name)).experiment_id,
  experimentOfLoggedModel: async (modelId) => (await domains.loggedModels.get(modelId)).info.experiment_id,
  experimentOfTrace: async (traceId, field) => (await domains.traces.getTrace(traceId, field)).experimentId,
  modelOfDeployment: async (name) => (await domains.deployments.getDeployment(name)).modelName,
  deploymentOfMonitor: async (name) => (await domains.monitors.get(name)).deployment,
  deploymentsOfRequests: (ids) => domains.predictions.deploymentsOfRequests(ids),
});

/** Grants follow their registered model through renames and deletes (versions carry no grants). */
export const permissionFollower = (store: PermissionStore): RegistryFollower => ({
  renameModel: (name, newName) => store.renameModel(name, newName),
  deleteModel: (name) => store.deleteModel(name),
  deleteVersion: async () => undefined,
});

export const composePermissions = (
  store: PermissionStore,
  domains: PermissionDomains,
  options: { defaultPermission?: PermissionName; users?: UserDirectory } = {},
): { service: PermissionService; authorizer: Authorizer } => {
  const service = new PermissionService(store, {
    defaultPermission: options.defaultPermission ?? "READ",
    users: options.users ?? NO_USERS,
    audit: domains.audit,
    exists: {
      experiment: async (id) => void (await domains.tracking.getExperiment(id)),
      registeredModel: async (name) => void (await domains.registry.getRegisteredModel(name)),
    },
  });
  const authorizer = new Authorizer({ service, lookup: resourceLookup(domains), rules: POLICY_TABLE });
  return { service, authorizer };
};
