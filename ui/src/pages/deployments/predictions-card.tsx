import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { useQueryParam } from "../../url-state";
import { deploymentKeys, listPredictions, PREDICTIONS_PAGE, type PredictionWire } from "./deployment-wire";
import { formatLabel, summarizeOutputs } from "./prediction-output";
import { formatLatency } from "./shadow-report-format";

export const PREDICTION_PERIODS: readonly { key: string; label: string; ms: number }[] = [
  { key: "15m", label: "last 15 minutes", ms: 15 * 60_000 },
  { key: "1h", label: "last hour", ms: 3_600_000 },
  { key: "24h", label: "last 24 hours", ms: 86_400_000 },
  { key: "7d", label: "last 7 days", ms: 7 * 86_400_000 },
];

/** A logged request with its outputs (`{ name: { dims, type, data } }`), shown beside the label it was given. */
type LoggedPrediction = PredictionWire & { outputs?: unknown };

/** Rows shown: the newest of the page read. */
const SHOWN = 50;

/**
 * The deployment's latest logged requests. The log reads oldest first from a time, so the card reads the chosen
 * period (in the URL as `preds`) and shows its newest rows, each with what the model predicted beside the label it
 * was given (when one was sent); a period with more than one page says so.
 */
export const PredictionsCard = ({ name, sampleRate }: { name: string; sampleRate: number }): ReactNode => {
  const [periodKey, setPeriodKey] = useQueryParam("preds", "1h");
  const period = PREDICTION_PERIODS.find((p) => p.key === periodKey) ?? (PREDICTION_PERIODS[1] as (typeof PREDICTION_PERIODS)[number]);
  const predictions = useQuery({
    queryKey: deploymentKeys.predictions(name, period.key),
    queryFn: ({ signal }) => listPredictions(name, Date.now() - period.ms, signal),
    refetchInterval: 30_000,
  });
  // The wire type leaves the tensors out; the log does send them, and the card shows what was predicted.
  const rows: LoggedPrediction[] = predictions.data ? predictions.data.predictions.slice(-SHOWN).reverse() : [];
  return (
    <section className="card" aria-labelledby="predictions-heading">
      <div className="card-title-row">
        <h2 id="predictions-heading">Recent predictions</h2>
        <label>
          <span className="muted">Period </span>
          <select value={period.key} onChange={(event) => setPeriodKey(event.target.value)}>
            {PREDICTION_PERIODS.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {predictions.isPending ? <Loading what="predictions" /> : null}
      <ErrorBanner error={predictions.error} what="the prediction log" />
      {predictions.data && rows.length === 0 ? (
        <p className="muted">
          No logged predictions in the {period.label}.{" "}
          {sampleRate === 0 ? "This deployment logs none (its sample rate is 0)." : `This deployment logs ${Number((sampleRate * 100).toFixed(2))}% of its requests.`}
        </p>
      ) : null}
      {predictions.data?.more ? (
        <p className="muted">More than {PREDICTIONS_PAGE.toLocaleString("en-US")} predictions in the {period.label}: these are the latest of the first {PREDICTIONS_PAGE.toLocaleString("en-US")}; choose a shorter period for the newest.</p>
      ) : null}
      {rows.length > 0 ? (
        <div className="scroll-box">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request id</th>
                <th scope="col">Version</th>
                <th scope="col" className="num">
                  Latency
                </th>
                <th scope="col">Prediction</th>
                <th scope="col">Label</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.request_id + p.time}>
                  <td>{formatTime(p.time)}</td>
                  <td className="mono">{p.request_id}</td>
                  <td>v{p.version}</td>
                  <td className="num">{formatLatency(p.latency_ms)}</td>
                  <td className="mono">{summarizeOutputs(p.outputs) ?? <span className="muted">—</span>}</td>
                  <td className="mono">{formatLabel(p.label) ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
};
