import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { experimentEndpoints } from "./experiment-routes.js";
import { metricEndpoints, runEndpoints } from "./run-routes.js";
import type { TrackingService } from "./service.js";

/** Every MLflow tracking endpoint (artifacts/list belongs to the artifacts domain). */
export const trackingEndpoints = (service: TrackingService): MlflowEndpoint[] => [
  ...experimentEndpoints(service),
  ...runEndpoints(service),
  ...metricEndpoints(service),
];
