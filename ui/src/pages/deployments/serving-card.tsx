import type { ReactNode } from "react";
import { Link } from "wouter";
import { formatTime } from "../../format";
import type { DeploymentWire } from "./deployment-wire";
import { formatShare, uriMode } from "./traffic-split";

export const ReadyBadge = ({ deployment }: { deployment: Pick<DeploymentWire, "ready" | "last_error" | "state"> }): ReactNode =>
  deployment.state === "degraded" ? (
    <span className="badge danger">degraded</span>
  ) : deployment.last_error ? (
    <span className="badge danger">last change failed</span>
  ) : deployment.ready ? (
    <span className="badge ok">ready</span>
  ) : (
    <span className="badge warn">not ready</span>
  );

/** "up to 32 rows, waits at most 5 ms, on a worker thread", or the server's default. */
export const describeBatching = (d: Pick<DeploymentWire, "max_batch_size" | "max_latency_ms" | "inference_worker">): string => {
  const parts = [
    d.max_batch_size !== undefined ? `up to ${d.max_batch_size} rows` : undefined,
    d.max_latency_ms !== undefined ? `waits at most ${d.max_latency_ms} ms` : undefined,
  ].filter((part): part is string => part !== undefined);
  const where = d.inference_worker ? "on a worker thread" : "on the server's main thread";
  return `${parts.length > 0 ? parts.join(", ") : "server default"}, ${where}`;
};

/** A number of seconds in its largest whole unit: "7 days", "12 hours", "90 seconds". */
const durationText = (seconds: number): string => {
  const [count, unit] =
    seconds % 86_400 === 0 ? [seconds / 86_400, "day"] : seconds % 3600 === 0 ? [seconds / 3600, "hour"] : seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${count.toLocaleString("en-US")} ${unit}${count === 1 ? "" : "s"}`;
};

/** "kept 7 days, at most 250,000 rows (and within the server's bounds)", or the server's bounds alone. */
export const describeRetention = (d: Pick<DeploymentWire, "prediction_log_max_age_seconds" | "prediction_log_max_rows">): string => {
  const parts = [
    d.prediction_log_max_age_seconds !== undefined ? `kept ${durationText(d.prediction_log_max_age_seconds)}` : undefined,
    d.prediction_log_max_rows !== undefined ? `at most ${d.prediction_log_max_rows.toLocaleString("en-US")} row${d.prediction_log_max_rows === 1 ? "" : "s"}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? `${parts.join(", ")} (and within the server's bounds)` : "kept as the server's bounds allow";
};

/** What serves now: the model URI and how it picks a version, the versions loaded, the serving options. */
export const ServingCard = ({ deployment: d }: { deployment: DeploymentWire }): ReactNode => {
  const mode = uriMode(d.model_uri);
  return (
    <section className="card" aria-labelledby="serving-heading">
      <h2 id="serving-heading">Serving</h2>
      {d.last_error ? (
        <div className="error-banner" role="alert">
          <strong>The last change did not take traffic. </strong>
          {d.last_error}
        </div>
      ) : null}
      <dl className="kv">
        <dt>Model</dt>
        <dd>
          <code>{d.model_uri}</code> (<Link href={`/models/${encodeURIComponent(d.model_name)}`}>{d.model_name}</Link>)
        </dd>
        <dt>Version choice</dt>
        <dd>
          {mode.kind === "alias" ? `follows the alias @${mode.alias}${d.followed_version !== undefined ? `, which names version ${d.followed_version}` : ""}` : "pinned"}
        </dd>
        <dt>Primary</dt>
        <dd>
          <Link href={`/models/${encodeURIComponent(d.model_name)}/versions/${encodeURIComponent(d.primary_version)}`}>version {d.primary_version}</Link>
        </dd>
        <dt>Loaded and serving</dt>
        <dd>{d.serving_versions.length > 0 ? d.serving_versions.map((v) => `v${v}`).join(", ") : "none"}</dd>
        <dt>Status</dt>
        <dd>
          <ReadyBadge deployment={d} />
        </dd>
        <dt>Prediction log</dt>
        <dd>
          {formatShare(d.prediction_log_sample_rate)} of requests, {describeRetention(d)}
        </dd>
        <dt>Batching</dt>
        <dd>{describeBatching(d)}</dd>
        <dt>Created</dt>
        <dd>{formatTime(d.creation_timestamp)}</dd>
        <dt>Last change</dt>
        <dd>{formatTime(d.last_updated_timestamp)}</dd>
      </dl>
    </section>
  );
};
