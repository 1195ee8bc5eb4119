import type { ReactNode } from "react";
import { formatNumber, formatTime } from "../../format";
import { CHECK_LABELS } from "./monitor-describe";
import { isCheckSummary, isPValueMethod, statusOf } from "./monitor-results";
import type { CheckName, CheckStatus, MonitorResult } from "./monitor-wire";

const SUMMARY_WORDS: Record<string, string> = {
  share_drifted: "share of features drifted",
  max: "largest feature score",
  success_share: "share of expectations passed",
  error: "could not run",
  min_rows: "rows in the window",
};

/** A check's status as its badge shows it: only a pass is green; too few rows is neither green nor red. */
export const STATUS_BADGES: Record<CheckStatus, { className: string; text: string }> = {
  pass: { className: "ok", text: "passing" },
  fail: { className: "danger", text: "failing" },
  error: { className: "danger", text: "error" },
  insufficient_data: { className: "warn", text: "insufficient data" },
};

const value = (n: number | null): string => (n === null ? "—" : formatNumber(n));

/**
 * Each check of the latest run with its status (passing, failing, error: could not run, insufficient data: fewer
 * rows than the monitor's minimum) and its summary score against its threshold.
 */
export const ChecksCard = ({ run, lastRunTime }: { run: MonitorResult[]; lastRunTime: number | undefined }): ReactNode => {
  const summaries = run.filter(isCheckSummary);
  const first = run[0];
  // Runs before statuses stored no score for an empty window: the scores shown are then older than the monitor's last run.
  const newerEmptyRun = first !== undefined && lastRunTime !== undefined && lastRunTime > first.time;
  return (
    <section className="card" aria-labelledby="checks-heading">
      <h2 id="checks-heading">Latest run{first ? `: ${formatTime(first.time)}` : ""}</h2>
      {summaries.length === 0 ? <p className="muted">No run has scored anything yet.</p> : null}
      {newerEmptyRun ? <p className="muted">The last run, at {formatTime(lastRunTime)}, found no logged rows in its window; these are the latest scores.</p> : null}
      <ul className="check-list">
        {summaries.map((s) => (
          <li key={`${s.check}-${s.method}`}>
            <span className={`badge ${STATUS_BADGES[statusOf(s)].className}`}>{STATUS_BADGES[statusOf(s)].text}</span> <strong>{CHECK_LABELS[s.check]}</strong>
            {s.method === "error" ? (
              <span className="muted"> could not run (the run's message says why: use Run now to see it)</span>
            ) : s.method === "min_rows" ? (
              <span className="muted">
                {" "}
                {value(s.statistic)} rows in the window, at least {value(s.threshold)} needed: nothing judged
              </span>
            ) : (
              <span className="muted">
                {" "}
                {SUMMARY_WORDS[s.method] ?? s.method} {value(s.statistic)}
                {s.threshold !== null ? `, threshold ${formatNumber(s.threshold)}` : ""}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
};

/** The per-feature scores of a drift or skew check in the latest run, failing features flagged. */
export const FeaturesTable = ({ run, check }: { run: MonitorResult[]; check: Extract<CheckName, "drift" | "skew"> }): ReactNode => {
  // Flagged features first (what a reader looks for among many), then by name.
  const rows = run
    .filter((s) => s.check === check && !isCheckSummary(s))
    .sort((a, b) => Number(a.passed) - Number(b.passed) || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  if (rows.length === 0) return null;
  const flag = check === "drift" ? "drifted" : "skewed";
  return (
    <section className="card" aria-labelledby={`${check}-features-heading`}>
      <h2 id={`${check}-features-heading`}>{check === "drift" ? "Drift per feature" : "Skew per feature"}</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Test</th>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col" className="num">
              p-value
            </th>
            <th scope="col" className="num">
              Threshold
            </th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => {
            const pValue = check === "drift" && isPValueMethod(s.method);
            return (
              <tr key={s.feature}>
                <th scope="row">{s.feature}</th>
                <td>{s.method}</td>
                <td className="num">{pValue ? "—" : value(s.statistic)}</td>
                <td className="num">{pValue ? value(s.statistic) : "—"}</td>
                <td className="num">
                  {s.threshold === null ? "—" : `${pValue ? "p <" : "≥"} ${formatNumber(s.threshold)}`}
                </td>
                <td>{s.passed ? <span className="badge ok">ok</span> : <span className="badge danger">{flag}</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
};

/** An expectation's observed value as a reader takes it: numbers formatted, text as is, lists and objects as JSON. */
export const observedText = (observed: unknown): string => {
  if (observed === undefined || observed === null) return "—";
  if (typeof observed === "number") return formatNumber(observed);
  if (typeof observed === "string") return observed;
  return JSON.stringify(observed);
};

/** The expectations of the data-test suite that failed in the latest run, with what each observed and why it failed. */
export const DataTestsCard = ({ run }: { run: MonitorResult[] }): ReactNode => {
  const tests = run.filter((s) => s.check === "data_tests" && !isCheckSummary(s));
  if (!run.some((s) => s.check === "data_tests")) return null;
  const failed = tests.filter((t) => !t.passed);
  return (
    <section className="card" aria-labelledby="data-tests-heading">
      <h2 id="data-tests-heading">Failed data tests</h2>
      <p className="muted">
        {tests.length - failed.length} of {tests.length} expectations passed.
      </p>
      {failed.length > 0 ? (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Expectation</th>
              <th scope="col">Column</th>
              <th scope="col" className="num">
                Observed
              </th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {failed.map((t) => (
              <tr key={`${t.method}-${t.feature}`}>
                <td className="mono">{t.method}</td>
                <td>{t.feature === "" ? <span className="muted">whole table</span> : t.feature}</td>
                <td className="num">{observedText(t.observed_value)}</td>
                <td>{t.message ? t.message : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
