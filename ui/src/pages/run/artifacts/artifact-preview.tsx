import type { ReactNode } from "react";
import { artifactDownloadUrl } from "../../../api/http";
import { ErrorBanner, Loading } from "../../../components/status";
import { artifactKind, baseName, type ArtifactKind } from "./artifact-kind";
import { MlmodelPreview } from "./mlmodel-preview";
import { TablePreview } from "./table-preview";
import { JsonPreview, TextPreview, YamlPreview } from "./text-previews";
import { useArtifactText } from "./use-artifact-text";

type TextKind = Exclude<ArtifactKind, "image" | "other">;

const TextualPreview = ({ url, kind, label }: { url: string; kind: TextKind; label: string }): ReactNode => {
  const { data, error, isPending } = useArtifactText(url);
  if (error) return <ErrorBanner error={error} what={label} />;
  if (isPending) return <Loading what={label} />;
  switch (kind) {
    case "json":
      return <JsonPreview content={data} label={label} />;
    case "yaml":
      return <YamlPreview content={data} label={label} />;
    case "mlmodel":
      return <MlmodelPreview content={data} label={label} />;
    case "csv":
      return <TablePreview content={data} delimiter="," label={label} />;
    case "tsv":
      return <TablePreview content={data} delimiter={"\t"} label={label} />;
    case "text":
      return <TextPreview content={data} label={label} />;
  }
};

/** The chosen artifact, previewed by its kind, with a download link in every case. */
export const ArtifactPreview = ({ artifactUri, path, owner = "This run" }: { artifactUri: string; path: string; owner?: string }): ReactNode => {
  const url = artifactDownloadUrl(artifactUri, path);
  const kind = artifactKind(path);
  const name = baseName(path);
  return (
    <section className="card artifact-preview" aria-labelledby="artifact-preview-heading">
      <div className="page-title-row">
        <h2 id="artifact-preview-heading" className="mono">
          {path}
        </h2>
        {url ? (
          <a className="button" href={url} download={name}>
            Download
          </a>
        ) : null}
      </div>
      {!url ? (
        <p className="muted">
          {owner} stores its artifacts at <code>{artifactUri}</code>, which the server does not proxy: the UI cannot show them.
        </p>
      ) : kind === "image" ? (
        <img className="artifact-image" src={url} alt={path} />
      ) : kind === "other" ? (
        <p className="muted">No preview for this kind of file. Download it to open it.</p>
      ) : (
        <TextualPreview key={url} url={url} kind={kind} label={path} />
      )}
    </section>
  );
};
