import type { MetricThresholdWire, ThresholdComparator } from "../../sdk/governance-api.js";
import { UsageError } from "../errors.js";

/** A version argument: MLflow numbers versions 1, 2, 3... per model. */
export const parseVersion = (label: string, text: string): string => {
  if (!/^[1-9]\d{0,17}$/.test(text.trim())) throw new UsageError(`${label} must be a version number (1, 2, 3...), got '${text}'`);
  return text.trim();
};

/** A promotion target as the governance API spells it: "alias:<alias>", "stage:<Stage>" or "deployment:<name>". */
export const parseTarget = (flag: string, text: string | undefined): string => {
  const value = (text ?? "").trim();
  const match = /^(alias|stage|deployment):(.+)$/.exec(value);
  if (!match?.[2]?.trim()) throw new UsageError(`${flag} must be alias:<alias>, stage:<Stage> or deployment:<name> (e.g. alias:champion, stage:Production, deployment:churn-prod), got '${text ?? ""}'`);
  return value;
};

/** --require-tag k=v: the first '=' splits, so values may contain '='. */
export const parseRequiredTag = (text: string): { key: string; value: string } => {
  const at = text.indexOf("=");
  const key = at < 0 ? "" : text.slice(0, at).trim();
  if (key === "") throw new UsageError(`--require-tag must be key=value (e.g. validation_status=passed), got '${text}'`);
  return { key, value: text.slice(at + 1) };
};

const COMPARATORS: readonly string[] = [">=", "<=", "!=", "==", ">", "<", "="];

/** --metric "accuracy>=0.9" (also "metrics.accuracy >= 0.9"; "==" is read as "="). */
export const parseMetricThreshold = (text: string): MetricThresholdWire => {
  const match = /^\s*(?:metrics?\.)?([^<>=!\s][^<>=!]*?)\s*(>=|<=|!=|==|>|<|=)\s*(\S+)\s*$/.exec(text);
  const value = match?.[3] === undefined ? Number.NaN : Number(match[3]);
  if (!match?.[1] || !match[2] || !COMPARATORS.includes(match[2]) || !Number.isFinite(value)) {
    throw new UsageError(`--metric must be <metric><comparator><number> with one of = != > >= < <= (e.g. "accuracy>=0.9"), got '${text}'`);
  }
  const comparator = (match[2] === "==" ? "=" : match[2]) as ThresholdComparator;
  return { metric: match[1], comparator, value };
};

/** --approvals N: how many distinct people must approve (0 to 100). */
export const parseApprovals = (text: string): number => {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) throw new UsageError(`--approvals must be an integer from 0 to 100, got '${text}'`);
  return Number(text);
};

/** --since/--until: milliseconds since the epoch, or an ISO 8601 date or date-time (UTC unless it says otherwise). */
export const parseTimeBound = (flag: string, text: string): number => {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  // "2026-11-30 12:00:00" as the tables print it; a time without a zone is UTC, as the tables show it.
  let iso = value.replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, "$1T$2");
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += "Z";
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} must be milliseconds since the epoch or an ISO date such as 2026-11-30T12:00:00Z, got '${text}'`);
  return ms;
};
