import { CairnError } from "../core/errors.js";
import { CairnApiError, CairnConnectionError } from "../sdk/errors.js";

/** A command line that cannot work as given (bad flag value, missing argument). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Ends the command with this exit code after its output was printed: nothing more is written to stderr. */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "CommandExit";
  }
}

/** Exit codes of the CLI, documented in docs/cli.md. */
export const ExitCode = {
  OK: 0,
  /** The server answered with an error, or a local operation (file read/write) failed. */
  FAILURE: 1,
  /** The command line is wrong. */
  USAGE: 2,
  /** The tracking server could not be reached. */
  UNREACHABLE: 3,
} as const;

/** One line for stderr and the exit code for a failure; never a stack trace. */
export const describeFailure = (error: unknown): { line: string; exitCode: number } => {
  if (error instanceof CairnApiError) {
    return { line: `cairn: error: ${error.errorCode}: ${firstLine(error.message)}`, exitCode: ExitCode.FAILURE };
  }
  if (error instanceof CairnConnectionError) return { line: `cairn: error: ${error.message}`, exitCode: ExitCode.UNREACHABLE };
  if (error instanceof UsageError) return { line: `cairn: error: ${firstLine(error.message)}`, exitCode: ExitCode.USAGE };
  if (error instanceof CairnError) {
    // Raised by the config parsers (e.g. a bad --port): the command line is what is wrong.
    return { line: `cairn: error: ${error.code}: ${firstLine(error.message)}`, exitCode: ExitCode.USAGE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `cairn: error: ${firstLine(message)}`, exitCode: ExitCode.FAILURE };
};

const firstLine = (text: string): string => text.split("\n")[0] ?? "";
