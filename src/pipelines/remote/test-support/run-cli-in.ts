import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { runCli, spawnCli, type CliResult } from "../../../cli/test-support/run-cli.js";

/** The real CLI with its cwd in a workspace (the remote and gc tests' argument order over run-cli.ts). */
export const spawnCliIn = (cwd: string, args: readonly string[], env: Record<string, string> = {}): ChildProcessByStdio<null, Readable, Readable> =>
  spawnCli(args, { cwd, env });

export const runCliIn = (cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { cwd, env });
