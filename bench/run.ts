/**
 * Benchmark entry: `npm run bench -- <suite>`. Each suite measures its baseline in the same run and prints JSON with
 * the ratio, so figures from different machines are comparable.
 */
const suites: Record<string, () => Promise<unknown>> = {
  tracking: async () => (await import("./tracking.js")).runTrackingBenchmarks(),
  "pg-tracking": async () => (await import("./pg-tracking.js")).runPgTrackingBenchmarks(),
  "pg-run-reads": async () => (await import("./pg-run-reads.js")).runPgRunReadBenchmarks(),
  registry: async () => (await import("./registry.js")).runRegistryBenchmarks(),
  "pg-registry": async () => (await import("./pg-registry.js")).runPgRegistryBenchmarks(),
  serving: async () => (await import("./serving.js")).runServingBenchmarks(),
  "data-tests": async () => (await import("./data-tests.js")).runDataTestsBenchmark(),
  "pipeline-definition": async () => (await import("./pipeline-definition.js")).runPipelineDefinitionBenchmarks(),
  drift: async () => (await import("./drift.js")).runDriftBenchmarks(),
  ui: async () => (await import("./ui-load.js")).runUiLoadBenchmark(),
  "logged-models": async () => (await import("./logged-models.js")).runLoggedModelBenchmarks(),
  traces: async () => (await import("./traces.js")).runTraceBenchmarks(),
  "prediction-log": async () => (await import("./prediction-log.js")).runPredictionLogBenchmarks(),
  "deployment-retention": async () => (await import("./deployment-retention.js")).runDeploymentRetentionBenchmarks(),
  auth: async () => (await import("./auth.js")).runAuthBenchmarks(),
  permissions: async () => (await import("./permissions.js")).runPermissionBenchmarks(),
  "model-isolation": async () => (await import("./model-isolation.js")).runModelIsolationBenchmarks(),
  "model-attack": async () => (await import("./model-attack.js")).runModelAttackBenchmark(),
  "audit-atomic": async () => (await import("./audit-atomic.js")).runAuditAtomicBenchmarks(),
  "audit-ingest": async () => (await import("./audit-ingest.js")).runAuditIngestBenchmarks(),
  "under-attack": async () => (await import("./under-attack.js")).runUnderAttackBenchmark(),
  repro: async () => (await import("./repro.js")).runReproBenchmark(),
  "data-status": async () => (await import("./data-status.js")).runDataStatusBenchmark(),
  "data-hash": async () => (await import("./data-hash.js")).runDataHashBenchmark(),
  "data-transfer": async () => (await import("./data-transfer.js")).runDataTransferBenchmarks(),
  replicas: async () => (await import("./replicas.js")).runReplicaBenchmarks(),
  artifacts: async () => (await import("./artifacts.js")).runArtifactBenchmarks(),
  "db-gc": async () => (await import("./db-gc.js")).runDbGcBenchmarks(),
  "shadow-parts": async () => (await import("./shadow-parts.js")).runShadowPartsBenchmarks(),
};

const name = process.argv[2] ?? "tracking";
const suite = suites[name];
if (!suite) {
  process.stderr.write(`unknown benchmark suite '${name}'; known: ${Object.keys(suites).join(", ")}\n`);
  process.exit(2);
}
const result = await suite();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
