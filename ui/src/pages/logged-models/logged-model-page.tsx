import { useQuery } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { useQueryParam } from "../../url-state";
import { ExperimentCrumbs } from "../experiment/experiment-crumbs";
import { loggedModelsPath } from "../experiment/experiment-paths";
import { useTabs, type TabSpec } from "../models/tabs";
import { ArtifactPreview } from "../run/artifacts/artifact-preview";
import { ArtifactTree } from "../run/artifacts/artifact-tree";
import { getLoggedModel, loggedModelArtifactSource, loggedModelKeys } from "./logged-model-api";
import { LoggedModelOverview } from "./logged-model-overview";
import { MODEL_STATUS } from "./logged-model-values";
import "../run/run.css";
import "./logged-models.css";

const TABS: readonly TabSpec<"overview" | "artifacts">[] = [
  { id: "overview", label: "Overview" },
  { id: "artifacts", label: "Artifacts" },
];

/** The model's files (MLmodel, weights, environment) beside a preview of the one chosen in the URL (`artifact=`). */
const ModelArtifacts = ({ modelId, artifactUri }: { modelId: string; artifactUri: string }): ReactNode => {
  const [selected, setSelected] = useQueryParam("artifact");
  const source = useMemo(() => loggedModelArtifactSource(modelId), [modelId]);
  return (
    <div className="artifacts-layout">
      <ArtifactTree source={source} selected={selected} onSelect={(path) => setSelected(path, { push: true })} />
      {selected ? (
        <ArtifactPreview artifactUri={artifactUri} path={selected} owner="This model" />
      ) : (
        <section className="card artifact-preview">
          <p className="muted">Choose a file to preview it.</p>
        </section>
      )}
    </div>
  );
};

/** One logged model: overview (info, registrations, params, metrics, tags) and artifacts, in tabs kept in the URL. */
const LoggedModelPage = ({ experimentId, modelId }: { experimentId: string; modelId: string }): ReactNode => {
  const model = useQuery({ queryKey: loggedModelKeys.model(modelId), queryFn: ({ signal }) => getLoggedModel(modelId, signal) });
  const { current, tabList, panelProps } = useTabs(TABS);
  const info = model.data?.info;
  const crumbs = (
    <ExperimentCrumbs experimentId={experimentId}>
      <Link href={loggedModelsPath(experimentId)}>Logged models</Link> / {info?.name ?? modelId}
    </ExperimentCrumbs>
  );
  const status = info ? MODEL_STATUS[info.status] : undefined;
  return (
    <div className="page run-page logged-model-page">
      <PageHeader title={info?.name ?? "Logged model"} crumbs={crumbs} actions={status ? <span className={status.badge}>{status.label}</span> : null} />
      <ErrorBanner error={model.error} what={`logged model ${modelId}`} />
      {model.isPending ? <Loading what="the logged model" /> : null}
      {model.data ? (
        <>
          {tabList}
          <div {...panelProps}>
            {current === "overview" ? <LoggedModelOverview model={model.data} /> : <ModelArtifacts modelId={modelId} artifactUri={model.data.info.artifact_uri} />}
          </div>
        </>
      ) : null}
    </div>
  );
};

export default LoggedModelPage;
