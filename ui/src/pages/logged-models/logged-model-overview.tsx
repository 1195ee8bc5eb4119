import type { ReactNode } from "react";
import { Link } from "wouter";
import type { LoggedModel } from "../../api/entities";
import { formatNumber, formatTime } from "../../format";
import { versionPath } from "../models/paths";
import { RunLink } from "../models/run-link";
import { experimentPath } from "../experiment/experiment-paths";
import { KeyValueTable } from "../run/key-value-table";
import { MODEL_STATUS, registrationsOf } from "./logged-model-values";

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const InfoCard = ({ model }: { model: LoggedModel }): ReactNode => {
  const { info } = model;
  const status = MODEL_STATUS[info.status] ?? { label: String(info.status ?? "unknown").toLowerCase(), badge: "badge muted" };
  return (
    <section className="card" aria-labelledby="model-info-heading">
      <h2 id="model-info-heading">Logged model</h2>
      <dl className="kv">
        <dt>Name</dt>
        <dd>{info.name}</dd>
        <dt>Status</dt>
        <dd>
          <span className={status.badge}>{status.label}</span>
          {info.status_message ? <span className="muted"> {info.status_message}</span> : null}
        </dd>
        <dt>Model ID</dt>
        <dd className="mono">{info.model_id}</dd>
        <dt>Model type</dt>
        <dd>{info.model_type || "—"}</dd>
        <dt>Experiment</dt>
        <dd>
          <Link href={experimentPath(info.experiment_id)}>{info.experiment_id}</Link>
        </dd>
        <dt>Source run</dt>
        <dd>
          <RunLink runId={info.source_run_id} />
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(info.creation_timestamp_ms)}</dd>
        <dt>Last updated</dt>
        <dd>{formatTime(info.last_updated_timestamp_ms)}</dd>
        <dt>Artifact URI</dt>
        <dd className="mono artifact-uri">{info.artifact_uri}</dd>
      </dl>
    </section>
  );
};

const RegistrationsCard = ({ model }: { model: LoggedModel }): ReactNode => {
  const registrations = registrationsOf(model);
  return (
    <section className="card" aria-labelledby="model-registrations-heading">
      <h2 id="model-registrations-heading">Registrations ({registrations.length})</h2>
      {registrations.length === 0 ? (
        <p className="muted">Not registered as a model version.</p>
      ) : (
        <ul className="registration-list">
          {registrations.map((registration) => (
            <li key={`${registration.name}:${registration.version}`}>
              <Link href={versionPath(registration.name, registration.version)}>
                {registration.name} version {registration.version}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
};

const MetricsCard = ({ model }: { model: LoggedModel }): ReactNode => {
  const metrics = [...(model.data?.metrics ?? [])].sort((a, b) => byKey(a, b) || (a.dataset_name ?? "").localeCompare(b.dataset_name ?? "") || a.step - b.step);
  return (
    <section className="card" aria-labelledby="model-metrics-heading">
      <h2 id="model-metrics-heading">Metrics ({metrics.length})</h2>
      {metrics.length === 0 ? (
        <p className="muted">No metrics linked to this model.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Metrics of the model</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col" className="num">
                Step
              </th>
              <th scope="col">Dataset</th>
              <th scope="col">Digest</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map((metric, index) => (
              <tr key={`${metric.key}:${metric.dataset_name ?? ""}:${metric.dataset_digest ?? ""}:${metric.step}:${index}`}>
                <th scope="row" className="mono">
                  {metric.key}
                </th>
                <td className="num mono">{formatNumber(metric.value)}</td>
                <td className="num mono">{metric.step}</td>
                <td>{metric.dataset_name || "—"}</td>
                <td className="mono">{metric.dataset_digest || "—"}</td>
                <td>
                  <RunLink runId={metric.run_id} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};

/** The model at a glance: what it is and where it came from, its versions, params, metrics and tags. */
export const LoggedModelOverview = ({ model }: { model: LoggedModel }): ReactNode => {
  const params = [...(model.data?.params ?? [])].sort(byKey);
  const tags = [...(model.info.tags ?? [])].sort(byKey);
  const userTags = tags.filter((tag) => !tag.key.startsWith("mlflow."));
  const systemTags = tags.filter((tag) => tag.key.startsWith("mlflow."));
  return (
    <div>
      <div className="grid-2">
        <InfoCard model={model} />
        <div>
          <RegistrationsCard model={model} />
          <section className="card" aria-labelledby="model-params-heading">
            <h2 id="model-params-heading">Parameters ({params.length})</h2>
            <KeyValueTable caption="Parameters" keyHeader="Parameter" rows={params.map((param) => ({ key: param.key, value: param.value }))} empty="No parameters." />
          </section>
        </div>
      </div>
      <MetricsCard model={model} />
      <section className="card" aria-labelledby="model-tags-heading">
        <h2 id="model-tags-heading">Tags ({userTags.length})</h2>
        <KeyValueTable caption="Tags" keyHeader="Tag" rows={userTags.map((tag) => ({ key: tag.key, value: tag.value }))} empty="No tags of its own." />
        {systemTags.length > 0 ? (
          <details className="system-tags">
            <summary>System tags ({systemTags.length})</summary>
            <KeyValueTable caption="System tags" keyHeader="Tag" rows={systemTags.map((tag) => ({ key: tag.key, value: tag.value }))} empty="" />
          </details>
        ) : null}
      </section>
    </div>
  );
};
