import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          pool: "forks",
          // One throw-away PostgreSQL cluster for the run: the PostgreSQL backend passes the same contract suites.
          globalSetup: ["./test/support/postgres-global-setup.ts"],
        },
      },
      {
        // The MLflow client conformance suites and the main end-to-end paths again, on a PostgreSQL backend: every test
        // server (src/server/test-support/test-backend.ts) gets a database of the run's cluster instead of a SQLite file.
        // The stores' contract suites run on both backends in the "node" project already.
        extends: true,
        test: {
          name: "postgresql",
          include: [
            "test/mlflow-proto-conformance.test.ts",
            "test/mlflow-registry-conformance.test.ts",
            "test/mlflow3-*-conformance.test.ts",
            "test/mlflow3-prompts.test.ts",
            "test/mlflow3-register-and-serve.test.ts",
            "test/npm-mlflow-client.test.ts",
            "test/full-cycle.test.ts",
            "test/audit-end-to-end.test.ts",
            "test/audit-api.test.ts",
            "test/governance-promotion.test.ts",
            "test/governance-approvals-gate.test.ts",
            "test/governance-registry-gate.test.ts",
            "test/registry-register-and-load.test.ts",
            "test/registry-integrity.test.ts",
            "test/traces-sdk.test.ts",
            "test/logged-models-sdk.test.ts",
            "test/webhooks-api.test.ts",
            "test/webhooks-mlflow-delivery.test.ts",
            "test/monitors-live.test.ts",
            "test/deployments-routes.test.ts",
            "test/permissions-behaviour.test.ts",
          ],
          pool: "forks",
          globalSetup: ["./test/support/postgres-global-setup.ts"],
          env: { CAIRN_TEST_BACKEND: "postgresql" },
        },
      },
      {
        // The web UI's component tests: React in happy-dom, no server.
        extends: true,
        plugins: [react()],
        test: {
          name: "ui",
          include: ["ui/src/**/*.test.tsx", "ui/src/**/*.test.ts"],
          environment: "happy-dom",
          setupFiles: ["./ui/src/test-support/setup.ts"],
        },
      },
    ],
  },
});
