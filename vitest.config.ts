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
