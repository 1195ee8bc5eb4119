import react from "@vitejs/plugin-react";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Files that measure time or memory, kill processes at a chosen moment, or load the machine on purpose (three
 * replicas behind nginx): `npm test` runs them after the rest, one at a time, so that another file's load on CI's two
 * cores does not decide their outcome. Everything else runs two files at a time (vitest's default on two cores is
 * one: the suite was then twice as long as it needed to be, its processes mostly waiting on servers and databases).
 */
const SERIAL = [
  "test/replicas-end-to-end.test.ts",
  "test/serving-isolation.test.ts",
  "test/serving-big-bodies.test.ts",
  "test/audit-verify-off-thread.test.ts",
  "test/deployments-replicas-postgres.test.ts",
  "test/webhooks-delivery.test.ts",
  "test/kill-recovery.test.ts",
  "test/kill-recovery-aliases.test.ts",
  "test/gc-sigkill.test.ts",
  "src/artifacts/streaming.test.ts",
  "src/stores/artifact-stores/s3/s3-server.test.ts",
  "src/server/server-limits.test.ts",
];

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
          exclude: [...configDefaults.exclude, ...SERIAL],
          pool: "forks",
          // One throw-away PostgreSQL cluster for the run: the PostgreSQL backend passes the same contract suites.
          globalSetup: ["./test/support/postgres-global-setup.ts"],
        },
      },
      {
        // `npm test` runs this project on its own, after the others, with one worker (see SERIAL).
        extends: true,
        test: {
          name: "serial",
          include: SERIAL,
          pool: "forks",
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
            "test/webhooks-outbox.test.ts",
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
