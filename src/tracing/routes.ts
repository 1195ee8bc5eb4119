import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { assessmentEndpoints } from "./assessment-routes.js";
import { traceEndpointsV2 } from "./routes-v2.js";
import { traceEndpointsV3 } from "./routes-v3.js";
import type { TraceService } from "./service.js";

/** Every trace and assessment endpoint, v2 and v3. */
export const tracingEndpoints = (service: TraceService): MlflowEndpoint[] => [
  ...traceEndpointsV3(service),
  ...assessmentEndpoints(service),
  ...traceEndpointsV2(service),
];
