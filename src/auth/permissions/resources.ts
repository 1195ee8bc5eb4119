/**
 * How authorization finds the experiment or registered model that owns what a request names. Each lookup throws the
 * owning domain's own error for an id that is malformed or unknown (the route's own 400 or 404), so an unresolvable
 * resource is never a pass. Compose wires it from the domain services.
 */
export interface ResourceLookup {
  experimentOfRun(runId: string): Promise<string>;
  experimentByName(name: string): Promise<string>;
  experimentOfLoggedModel(modelId: string): Promise<string>;
  /** `field` names the id in the route's own error message (trace_id, request_id). */
  experimentOfTrace(traceId: string, field: string): Promise<string>;
  /** The registered model a deployment serves. */
  modelOfDeployment(deployment: string): Promise<string>;
  /** The deployment a monitor watches. */
  deploymentOfMonitor(monitor: string): Promise<string>;
  /** The deployment that logged each request id; ids never logged are absent. */
  deploymentsOfRequests(requestIds: readonly string[]): Promise<Map<string, string>>;
}
