import { invalidValue } from "../protocol/mlflow/fields.js";

/**
 * google.protobuf.Timestamp and Duration as protobuf's JSON mapping writes them, which is how MLflow 3 sends
 * TraceInfoV3.request_time ("2025-06-04T00:17:06.901Z") and execution_duration ("0.228s"). Cairn keeps
 * milliseconds (as MLflow's SQL store does), so output has 0 or 3 fractional digits, exactly as protobuf writes a
 * value with millisecond precision.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/;

/** Years protobuf's Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

/** Milliseconds since the epoch of an RFC 3339 timestamp (fraction truncated to ms, as Timestamp.ToMilliseconds). */
export const parseTimestamp = (text: string, field: string): number => {
  const match = RFC3339.exec(text);
  if (!match) throw invalidValue(field, text, "expected an RFC 3339 timestamp such as '2025-06-04T00:17:06.901Z'");
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw invalidValue(field, text, "the date or time is out of range");
  }
  const base = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  const check = new Date(base);
  if (check.getUTCDate() !== day) throw invalidValue(field, text, "the day does not exist in that month");
  const millis = fraction ? Number(fraction.padEnd(3, "0").slice(0, 3)) : 0;
  const offset = zulu ? 0 : (Number(oh) * 60 + Number(om)) * 60_000 * (sign === "-" ? -1 : 1);
  const ms = base + millis - offset;
  if (ms < MIN_MS || ms > MAX_MS) throw invalidValue(field, text, "outside the range of google.protobuf.Timestamp");
  return ms;
};

/** Milliseconds of a protobuf Duration string ("0.228s", "3s", "1.500000s"), truncated to ms. */
export const parseDuration = (text: string, field: string): number => {
  const match = DURATION.exec(text);
  if (!match) throw invalidValue(field, text, "expected a duration in seconds such as '0.228s'");
  const [, minus, seconds, fraction] = match;
  const ms = Number(seconds) * 1000 + (fraction ? Number(fraction.padEnd(3, "0").slice(0, 3)) : 0);
  if (!Number.isSafeInteger(ms)) throw invalidValue(field, text, "out of range");
  if (minus && ms !== 0) throw invalidValue(field, text, "a duration must not be negative");
  return ms;
};

const pad = (value: number, width: number): string => String(value).padStart(width, "0");

/** Timestamp JSON of epoch milliseconds: "Z" form, no fraction for whole seconds, 3 digits otherwise. */
export const formatTimestamp = (ms: number): string => {
  const date = new Date(ms);
  const whole =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const millis = date.getUTCMilliseconds();
  return millis === 0 ? `${whole}Z` : `${whole}.${pad(millis, 3)}Z`;
};

/** Duration JSON of milliseconds: "3s", "0.228s". */
export const formatDuration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  return millis === 0 ? `${seconds}s` : `${seconds}.${pad(millis, 3)}s`;
};
