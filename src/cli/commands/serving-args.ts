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
