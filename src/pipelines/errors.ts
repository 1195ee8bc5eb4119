/**
 * An error of a data or pipeline command: bad input on the user's machine (a malformed pointer or lock file, a
 * cycle, an output outside the workspace, a failed command). The message names the stage and the file it concerns,
 * so the user can act on it without a stack trace; the CLI prints it and exits 1.
 */
export class PipelineError extends Error {
  override readonly name = "PipelineError";
  readonly file: string | undefined;
  readonly stage: string | undefined;

  constructor(message: string, where: { file?: string; stage?: string } = {}) {
    const prefix = [where.stage === undefined ? undefined : `stage '${where.stage}'`, where.file].filter((part) => part !== undefined).join(", ");
    super(prefix === "" ? message : `${prefix}: ${message}`);
    this.file = where.file;
    this.stage = where.stage;
  }
}
