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

/**
 * A command that would change nothing because nothing matched (an alias that is not set, a run already deleted, a
 * folder without files): a person who typed a wrong name must not read success. Exit code 1 with this message.
 */
export class NothingChanged extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NothingChanged";
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
  if (error instanceof NothingChanged) return { line: `cairn: error: ${firstLine(error.message)}`, exitCode: ExitCode.FAILURE };
  if (error instanceof UsageError) return { line: `cairn: error: ${firstLine(error.message)}`, exitCode: ExitCode.USAGE };
  if (error instanceof CairnError) {
    // Raised by the config parsers (e.g. a bad --port): the command line is what is wrong.
    return { line: `cairn: error: ${error.code}: ${firstLine(error.message)}`, exitCode: ExitCode.USAGE };
  }
  return { line: `cairn: error: ${firstLine(messageOf(error))}`, exitCode: ExitCode.FAILURE };
};

/**
 * The text of anything thrown: an Error's message (its name or code when the message is empty), an object's
 * `message` field or its JSON, never "[object Object]" or an empty line.
 */
export const messageOf = (error: unknown): string => {
  if (error === undefined || error === null) return "unknown error";
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return error.message.trim() !== "" ? error.message : (code ?? error.name);
  }
  if (typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message.trim() !== "") return message;
    try {
      return JSON.stringify(error) ?? "unknown error";
    } catch {
      return "unknown error";
    }
  }
  const text = String(error);
  return text.trim() === "" ? "unknown error" : text;
};

const firstLine = (text: string): string => text.split("\n")[0] ?? "";
