import type { ReactNode } from "react";
import type { ModelVersion } from "../../api/entities";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { SignatureTables } from "../../mlmodel/signature-table";
import { StageBadge, VersionAliasBadges, VersionStatusBadge } from "./alias-badges";
import { useMlmodel } from "./mlmodel-query";
import { LoggedModelLink } from "../logged-models/logged-model-link";
import { RunLink } from "./run-link";
import { paragraphs } from "./text";

/** The signature and flavors from the version's MLmodel file, when its files have one. */
const Signature = ({ name, version }: { name: string; version: string }): ReactNode => {
  const mlmodel = useMlmodel(name, version);
  return (
    <section className="card" aria-labelledby="signature-heading">
      <h2 id="signature-heading">Signature</h2>
      <ErrorBanner error={mlmodel.error} what="the MLmodel file" />
      {mlmodel.isPending ? <Loading what="the MLmodel file" /> : null}
      {mlmodel.isSuccess && mlmodel.data === null ? <p className="muted">The version's files have no MLmodel file.</p> : null}
      {mlmodel.data ? (
        <>
          <p>
            <span className="muted">Flavors: </span>
            {mlmodel.data.flavors.length > 0 ? mlmodel.data.flavors.map((flavor) => flavor.name).join(", ") : "none"}
          </p>
          <SignatureTables signature={mlmodel.data.signature} />
        </>
      ) : null}
    </section>
  );
};

export const OverviewTab = ({ version }: { version: ModelVersion }): ReactNode => (
  <>
    <section className="card" aria-label="Version details">
      {version.description
        ? paragraphs(version.description).map((paragraph, index) => (
            <p key={index} className="model-description">
              {paragraph}
            </p>
          ))
        : null}
      <dl className="kv">
        <dt>Source</dt>
        <dd className="source-uri">{version.source}</dd>
        <dt>Source run</dt>
        <dd>
          <RunLink runId={version.run_id} />
        </dd>
        {version.model_id ? (
          <>
            <dt>Logged model</dt>
            <dd>
              <LoggedModelLink modelId={version.model_id} />
            </dd>
          </>
        ) : null}
        <dt>Stage</dt>
        <dd>
          <StageBadge stage={version.current_stage} />
        </dd>
        <dt>Aliases</dt>
        <dd>
          <VersionAliasBadges aliases={version.aliases} />
        </dd>
        <dt>Status</dt>
        <dd>
          <VersionStatusBadge status={version.status} />
          {version.status_message ? <span className="muted"> {version.status_message}</span> : null}
        </dd>
        <dt>Created</dt>
        <dd>
          {formatTime(version.creation_timestamp)}
          {version.user_id ? ` by ${version.user_id}` : ""}
        </dd>
        <dt>Last updated</dt>
        <dd>{formatTime(version.last_updated_timestamp)}</dd>
      </dl>
    </section>
    <section className="card" aria-labelledby="version-tags-heading">
      <h2 id="version-tags-heading">Tags</h2>
      {version.tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <dl className="kv">
          {version.tags.map((tag) => (
            <div key={tag.key} style={{ display: "contents" }}>
              <dt className="mono">{tag.key}</dt>
              <dd className="mono">{tag.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
    {isPromptVersion(version) ? null : <Signature name={version.name} version={version.version} />}
  </>
);

/** A prompt version (MLflow's prompt registry) has a template instead of files: the server refuses its download URI. */
const isPromptVersion = (version: ModelVersion): boolean =>
  version.tags.some((tag) => tag.key === "mlflow.prompt.is_prompt" && tag.value.toLowerCase() === "true");
