import type { ReactNode } from "react";
import { Link } from "wouter";
import type { Run } from "../../api/entities";
import { formatNumber } from "../../format";
import { DatasetsCard } from "./datasets-card";
import { KeyValueTable } from "./key-value-table";
import { LoggedModelsCard } from "./logged-models-card";
import { ModelVersionsCard } from "./model-versions-card";
import { RunInfoCard } from "./run-info-card";
import { groupTags } from "./run-tags";
import { metricValue } from "../../charts/x-axis";

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The run at a glance: info, params, latest metrics (each a link to its chart), tags and dataset inputs. */
export const OverviewTab = ({ run, runPath, fetchedAt }: { run: Run; runPath: string; fetchedAt: number }): ReactNode => {
  const params = [...(run.data.params ?? [])].sort(byKey);
  const metrics = [...(run.data.metrics ?? [])].sort(byKey);
  const tags = groupTags(run.data.tags ?? []);
  return (
    <div className="run-overview">
      <div className="grid-2">
        <RunInfoCard run={run} fetchedAt={fetchedAt} />
        <section className="card" aria-labelledby="run-params-heading">
          <h2 id="run-params-heading">Parameters ({params.length})</h2>
          <KeyValueTable caption="Parameters" rows={params.map((param) => ({ key: param.key, value: param.value }))} keyHeader="Parameter" empty="No parameters logged." />
        </section>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="run-metrics-heading">
          <h2 id="run-metrics-heading">Metrics ({metrics.length})</h2>
          <KeyValueTable
            caption="Latest metric values"
            keyHeader="Metric"
            valueHeader="Latest value"
            empty="No metrics logged."
            rows={metrics.map((metric) => ({
              key: metric.key,
              numeric: true,
              value: (
                <Link href={`${runPath}?tab=metrics&metric=${encodeURIComponent(metric.key)}`} aria-label={`${metric.key}: ${formatNumber(metricValue(metric.value))}, show chart`}>
                  {formatNumber(metricValue(metric.value))}
                </Link>
              ),
            }))}
          />
        </section>
        <section className="card" aria-labelledby="run-tags-heading">
          <h2 id="run-tags-heading">Tags ({tags.user.length})</h2>
          <KeyValueTable caption="Tags" rows={tags.user.map((tag) => ({ key: tag.key, value: tag.value }))} keyHeader="Tag" empty="No tags of its own." />
          {tags.system.length > 0 ? (
            <details className="system-tags">
              <summary>System tags ({tags.system.length})</summary>
              <KeyValueTable caption="System tags" rows={tags.system.map((tag) => ({ key: tag.key, value: <span className="tag-value">{tag.value}</span> }))} keyHeader="Tag" empty="" />
            </details>
          ) : null}
        </section>
      </div>
      <LoggedModelsCard run={run} />
      <ModelVersionsCard runId={run.info.run_id} />
      <DatasetsCard inputs={run.inputs?.dataset_inputs ?? []} />
    </div>
  );
};
