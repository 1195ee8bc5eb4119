import { formatNumber, formatTime } from "../../format";
import type { LatencySummaryWire, ShadowReportWire } from "./deployment-wire";

/** One line of the shadow comparison card: what is measured, and its value in words. */
export interface ReportLine {
  label: string;
  value: string;
  /** Draws attention: errors, or a class agreement below 95 %. */
  warn?: boolean;
}

/** Latencies are often fractions of a millisecond: three significant digits, never rounded to "0 ms". */
export const formatLatency = (ms: number | null): string => (ms === null ? "—" : `${formatNumber(Number(ms.toPrecision(3)))} ms`);

export const formatRate = (rate: number | null): string => (rate === null ? "—" : `${Number((rate * 100).toFixed(2))}%`);

const count = (n: number, one: string, many: string): string => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

const latencyLine = (summary: LatencySummaryWire): string =>
  summary.count === 0 ? "no requests yet" : `p50 ${formatLatency(summary.p50_ms)}, p99 ${formatLatency(summary.p99_ms)} (${count(summary.count, "request", "requests")})`;

const diffLine = (diff: { mean: number | null; max: number | null }, asPercent: boolean): string => {
  if (diff.mean === null || diff.max === null) return "— (no numeric output compared)";
  const show = (value: number): string => (asPercent ? `${formatNumber(value * 100)}%` : formatNumber(value));
  return `mean ${show(diff.mean)}, max ${show(diff.max)}`;
};

/** Below this share of agreeing classes the card marks the agreement (a shadow should mostly agree). */
const AGREEMENT_WARNING = 0.95;

/** The report as labelled lines, in the order a reader asks: how much was compared, do they agree, how fast, errors. */
export const shadowReportLines = (report: ShadowReportWire): ReportLine[] => {
  const agreement: ReportLine =
    report.agreement_rate === null
      ? { label: "Agreement rate", value: "— (no output with a class compared yet)" }
      : {
          label: "Agreement rate",
          value: `${formatRate(report.agreement_rate)} (${report.same_class.toLocaleString("en-US")} of ${count(report.class_compared, "request", "requests")} with the same class)`,
          warn: report.agreement_rate < AGREEMENT_WARNING,
        };
  return [
    { label: "Compared since", value: formatTime(report.since) },
    { label: "Mirrored", value: `${count(report.mirrored, "request", "requests")} (${formatRate(report.share)} of traffic)` },
    { label: "Compared", value: `${count(report.compared, "request", "requests")} where both answered` },
    agreement,
    { label: "Absolute difference", value: diffLine(report.abs_diff, false) },
    { label: "Relative difference", value: diffLine(report.rel_diff, true) },
    { label: `Latency, primary v${report.primary_version}`, value: latencyLine(report.latency.primary) },
    { label: `Latency, shadow v${report.candidate_version}`, value: latencyLine(report.latency.candidate) },
    { label: "Errors", value: `primary ${report.primary_errors.toLocaleString("en-US")}, shadow ${report.candidate_errors.toLocaleString("en-US")}`, warn: report.primary_errors + report.candidate_errors > 0 },
  ];
};
