import { describe, expect, it } from "vitest";
import * as cairn from "./index.js";

describe("package entry", () => {
  it("exports the SDK's runtime values by name", () => {
    expect(Object.keys(cairn).sort()).toEqual([
      "ActiveRun",
      "ArtifactsApi",
      "AssessmentsApi",
      "AuditApi",
      "BATCH_LIMITS",
      "CairnApiError",
      "CairnClient",
      "CairnConnectionError",
      "DEFAULT_EXPERIMENT_ID",
      "DEFAULT_EXPERIMENT_NAME",
      "ExperimentsApi",
      "GovernanceApi",
      "LOGGED_MODEL_STATUSES",
      "LoggedModelsApi",
      "MODEL_STAGES",
      "RUN_STATUSES",
      "RegistryApi",
      "RunLogError",
      "RunsApi",
      "ServingApi",
      "SystemTag",
      "TracesApi",
      "VIEW_TYPES",
      "WebhooksApi",
      "durationMs",
      "expectationValue",
      "parseLoggedModelOrderBy",
      "parseTraceData",
      "signMlflowWebhookPayload",
      "signWebhookPayload",
      "spanDurationMs",
      "spanTree",
      "verifyMlflowWebhookSignature",
      "verifyWebhookSignature",
    ]);
    const client = new cairn.CairnClient({ trackingUri: "http://127.0.0.1:5000/" });
    expect(client.trackingUri).toBe("http://127.0.0.1:5000");
    expect(cairn.BATCH_LIMITS).toMatchObject({ metrics: 1000, params: 100, tags: 100, entities: 1000 });
  });
});
