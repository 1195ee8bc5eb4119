import type { ReactNode } from "react";
import { Link } from "wouter";
import type { LoggedModel } from "../../api/entities";
import { SortHeader } from "../../components/column-sort";
import { clip, formatNumber, formatTime } from "../../format";
import { RunLink } from "../models/run-link";
import { loggedModelPath } from "../experiment/experiment-paths";
import { headlineMetric, MODEL_STATUS, paramValue } from "./logged-model-values";
import { isModelSortable, type ModelSort } from "./logged-model-sort";

/** One page of an experiment's logged models: attributes, one column per metric and param key, and user tags. */
export const LoggedModelsTable = (props: {
  experimentId: string;
  models: readonly LoggedModel[];
  metricKeys: readonly string[];
  paramKeys: readonly string[];
  sort: ModelSort;
  onSort(column: string): void;
}): ReactNode => {
  const { experimentId, models, metricKeys, paramKeys, sort, onSort } = props;
  return (
    <div className="table-scroll" role="region" aria-label="Logged models" tabIndex={0}>
      <table className="data logged-models-table">
        <thead>
          <tr>
            <SortHeader column="name" label="Name" sort={sort} onSort={onSort} />
            <SortHeader column="status" label="Status" sort={sort} onSort={onSort} />
            <SortHeader column="model_type" label="Type" sort={sort} onSort={onSort} />
            <th scope="col">Source run</th>
            <SortHeader column="creation_timestamp" label="Created" sort={sort} onSort={onSort} />
            {metricKeys.map((key) => (
              <SortHeader key={`m:${key}`} column={`metrics.${key}`} sortable={isModelSortable(`metrics.${key}`)} label={<><span className="col-entity">metrics.</span>{key}</>} sort={sort} onSort={onSort} numeric />
            ))}
            {paramKeys.map((key) => (
              <th key={`p:${key}`} scope="col">
                <span className="col-entity">params.</span>
                {key}
              </th>
            ))}
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => {
            const { info } = model;
            const status = MODEL_STATUS[info.status] ?? { label: String(info.status ?? "unknown").toLowerCase(), badge: "badge muted" };
            const tags = (info.tags ?? []).filter((tag) => !tag.key.startsWith("mlflow."));
            return (
              <tr key={info.model_id}>
                <td>
                  <Link href={loggedModelPath(experimentId, info.model_id)}>{info.name || info.model_id}</Link>
                </td>
                <td>
                  <span className={status.badge}>{status.label}</span>
                </td>
                <td>{info.model_type || <span className="muted">—</span>}</td>
                <td>
                  <RunLink runId={info.source_run_id} />
                </td>
                <td className="nowrap">{formatTime(info.creation_timestamp_ms)}</td>
                {metricKeys.map((key) => {
                  const metric = headlineMetric(model, key);
                  return (
                    <td key={`m:${key}`} className="num">
                      {metric ? formatNumber(metric.value) : <span className="muted">—</span>}
                    </td>
                  );
                })}
                {paramKeys.map((key) => (
                  <td key={`p:${key}`} className="mono">
                    {paramValue(model, key) ?? <span className="muted">—</span>}
                  </td>
                ))}
                <td className="mono tag-cell">{tags.length > 0 ? clip(tags.map((tag) => `${tag.key}=${tag.value}`).join(", "), 200) : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};
