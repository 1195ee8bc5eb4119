import { CairnError, ErrorCode } from "../../core/errors.js";

/**
 * What one model may cost the server: applied by every model executor (model-executor.ts) to every run, warm-up
 * included. The operator sets them (`cairn server --inference-timeout --max-output-elements --model-threads`).
 */
export interface ExecutionLimits {
  /** Longest one run may take, queueing in its executor included; the executor is killed and replaced after it. */
  timeoutMs: number;
  /** Most elements a run's outputs may hold together, checked from their dims before they are sent or encoded. */
  maxOutputElements: number;
  /** Longest loading a model into a fresh executor may take (parsing and optimizing the graph). */
  loadTimeoutMs: number;
}

export const DEFAULT_EXECUTION_LIMITS: ExecutionLimits = {
  timeoutMs: 30_000,
  // 10 million numbers are about 120 MB of JSON: far above any scoring answer, far below what stops V8.
  maxOutputElements: 10_000_000,
  loadTimeoutMs: 120_000,
};

/** Which limit a run hit: a timeout, the output cap, or the executor process dying under it. */
export type ExecutionFailureKind = "timeout" | "output-size" | "crash";

/**
 * A run that a model's own behaviour made fail (as opposed to a malformed request): the failures that count towards
 * marking a version failed. Still a CairnError, so the HTTP edge answers it in MLflow's error shape.
 */
export class ExecutionFailure extends CairnError {
  constructor(
    readonly kind: ExecutionFailureKind,
    /** The limit in words, for messages: "the 30 s inference timeout (--inference-timeout)". */
    readonly limit: string,
    message: string,
  ) {
    super(...statusOf(kind, message));
    this.name = "ExecutionFailure";
  }

  /** The same failure, its message prefixed with who hit it (deployment and version). */
  within(prefix: string): ExecutionFailure {
    return new ExecutionFailure(this.kind, this.limit, `${prefix}: ${this.message}`);
  }
}

const statusOf = (kind: ExecutionFailureKind, message: string): [ErrorCode, string, { status: number }] => {
  switch (kind) {
    case "timeout":
      return [ErrorCode.TEMPORARILY_UNAVAILABLE, message, { status: 504 }];
    case "output-size":
      return [ErrorCode.REQUEST_LIMIT_EXCEEDED, message, { status: 422 }];
    case "crash":
      return [ErrorCode.TEMPORARILY_UNAVAILABLE, message, { status: 503 }];
  }
};

export const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

export const timeoutFailure = (limits: ExecutionLimits, what = "inference"): ExecutionFailure => {
  const limit = `the ${formatSeconds(limits.timeoutMs)} inference timeout (--inference-timeout)`;
  return new ExecutionFailure("timeout", limit, `${what} exceeded ${limit}; its executor was stopped and is replaced`);
};

export const outputSizeFailure = (limits: ExecutionLimits, elements: number, dims: string): ExecutionFailure => {
  const limit = `the output cap of ${limits.maxOutputElements} elements (--max-output-elements)`;
  return new ExecutionFailure("output-size", limit, `the model's outputs hold ${elements} elements (${dims}), above ${limit}; refused before encoding`);
};

export const crashFailure = (how: string, during = "while running it"): ExecutionFailure =>
  new ExecutionFailure("crash", "a crash of its executor process", `the model's executor process ${how} ${during}`);
