import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** tsx's loader resolved from here, so that the CLI also runs in a folder outside the repository (a temp project). */
const tsxLoader = pathToFileURL(path.join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI (src/cli/main.ts through tsx) in a child process, as a user runs it: exit code and exact output.
 * The tracking and user variables of the shell running the tests are not inherited, so only `env` sets them.
 */
export const runCli = (args: readonly string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliResult> => {
  const { CAIRN_TRACKING_URI: _c, MLFLOW_TRACKING_URI: _m, CAIRN_USER: _u, MLFLOW_TRACKING_USERNAME: _n, MLFLOW_TRACKING_PASSWORD: _p, MLFLOW_TRACKING_TOKEN: _t, ...base } = process.env;
  const child = spawn(process.execPath, ["--import", tsxLoader, path.join(repoRoot, "src/cli/main.ts"), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...base, ...options.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
};
