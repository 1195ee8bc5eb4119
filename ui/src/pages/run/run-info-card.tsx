import type { ReactNode } from "react";
import { Link } from "wouter";
import type { Run } from "../../api/entities";
import { formatDuration, formatTime } from "../../format";
import { runPath } from "../experiment/experiment-paths";
import { SOURCE_TAGS, tagValue } from "./run-tags";
import { StatusBadge } from "./status-badge";

/**
 * A run's identity and timing, plus where it came from (the mlflow.source.* tags) and its parent, if any. A running
 * run's duration counts to `fetchedAt`, when the run was last read, so it grows with each live refresh.
 */
export const RunInfoCard = ({ run, fetchedAt }: { run: Run; fetchedAt: number }): ReactNode => {
  const { info } = run;
  const tags = run.data.tags ?? [];
  const note = tagValue(tags, "mlflow.note.content");
  const parentId = tagValue(tags, "mlflow.parentRunId");
  const end = info.end_time ?? (info.status === "RUNNING" ? fetchedAt : undefined);
  return (
    <section className="card" aria-labelledby="run-info-heading">
      <h2 id="run-info-heading">Run</h2>
      <dl className="kv">
        <dt>Name</dt>
        <dd>{info.run_name || "—"}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={info.status} />
        </dd>
        <dt>Run ID</dt>
        <dd className="mono">{info.run_id}</dd>
        <dt>Started</dt>
        <dd>{formatTime(info.start_time)}</dd>
        <dt>Ended</dt>
        <dd>{info.end_time ? formatTime(info.end_time) : info.status === "RUNNING" ? "still running" : "—"}</dd>
        <dt>Duration</dt>
        <dd>{end !== undefined && info.start_time ? formatDuration(end - info.start_time) : "—"}</dd>
        <dt>User</dt>
        <dd>{info.user_id || tagValue(tags, "mlflow.user") || "—"}</dd>
        {SOURCE_TAGS.map(({ key, label }) => {
          const value = tagValue(tags, key);
          return value ? (
            <div key={key} className="kv-group">
              <dt>{label}</dt>
              <dd className="mono">{value}</dd>
            </div>
          ) : null;
        })}
        {parentId ? (
          <>
            <dt>Parent run</dt>
            <dd>
              <Link href={runPath(info.experiment_id, parentId)} className="mono">
                {parentId}
              </Link>
            </dd>
          </>
        ) : null}
        <dt>Artifacts</dt>
        <dd className="mono">{info.artifact_uri}</dd>
        {note ? (
          <>
            <dt>Description</dt>
            <dd className="run-note">{note}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
};
