import { parseCount, parseDuration } from "../../core/config.js";
import type { ModelLoadOptions } from "../../serving/model/loaded-model.js";
import { UsageError } from "../errors.js";

/** A fraction flag (--weight, --share, --sample-rate) from 0 to 1 inclusive. */
export const parseFraction = (flag: string, text: string): number => {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag} must be a number from 0 to 1, got '${text}'`);
  }
  return value;
};

/** A non-negative number of milliseconds (--max-latency-ms): 0 means "do not wait for batch mates". */
export const parseMilliseconds = (flag: string, text: string, max: number): number => {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new UsageError(`${flag} must be a number of milliseconds from 0 to ${max}, got '${text}'`);
  }
  return value;
};

/** A duration in whole seconds written as `cairn server`'s retention flags take it (`7d`, `12h`, `90s`), up to `maxSeconds`. */
export const parseSecondsDuration = (flag: string, text: string, maxSeconds: number): number => {
  let ms: number;
  try {
    ms = parseDuration(text, flag);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isSafeInteger(ms) || ms % 1000 !== 0 || ms / 1000 > maxSeconds) {
    throw new UsageError(`${flag} must be a whole number of seconds up to ${maxSeconds}s, written such as 30d, 12h, 30m or 90s, got '${text}'`);
  }
  return ms / 1000;
};

/** A whole number from 1 to `max`, e.g. `--model-threads 4`. */
export const parseBoundedCount = (text: string, flag: string, max: number): number => {
  const count = parseCount(text, flag);
  if (count > max) throw new UsageError(`${flag} must be at most ${max}, got '${text}'`);
  return count;
};

/** The model execution flags shared by `cairn server` and `cairn serve`. */
export interface ModelExecutionFlags {
  inferenceTimeout?: string;
  maxOutputElements?: string;
  modelThreads?: string;
}

export const parseModelExecution = (flags: ModelExecutionFlags): { inferenceTimeoutMs?: number; maxOutputElements?: number; modelThreads?: number } => ({
  ...(flags.inferenceTimeout !== undefined ? { inferenceTimeoutMs: parseBoundedCount(flags.inferenceTimeout, "--inference-timeout", 3600) * 1000 } : {}),
  ...(flags.maxOutputElements !== undefined ? { maxOutputElements: parseBoundedCount(flags.maxOutputElements, "--max-output-elements", 100_000_000) } : {}),
  ...(flags.modelThreads !== undefined ? { modelThreads: parseBoundedCount(flags.modelThreads, "--model-threads", 256) } : {}),
});

/** The same, as the options loadModel takes. */
export const modelLoadOptions = (parsed: ReturnType<typeof parseModelExecution>): ModelLoadOptions => ({
  ...(parsed.modelThreads !== undefined ? { maxModelThreads: parsed.modelThreads } : {}),
  limits: {
    ...(parsed.inferenceTimeoutMs !== undefined ? { timeoutMs: parsed.inferenceTimeoutMs } : {}),
    ...(parsed.maxOutputElements !== undefined ? { maxOutputElements: parsed.maxOutputElements } : {}),
  },
});
