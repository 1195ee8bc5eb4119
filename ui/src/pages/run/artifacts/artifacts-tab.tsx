import type { ReactNode } from "react";
import type { Run } from "../../../api/entities";
import { useQueryParam } from "../../../url-state";
import { ArtifactPreview } from "./artifact-preview";
import { ArtifactTree } from "./artifact-tree";

/** The artifact tree beside a preview of the file chosen in the URL (`artifact=path/in/run`). */
export const ArtifactsTab = ({ run }: { run: Run }): ReactNode => {
  const [selected, setSelected] = useQueryParam("artifact");
  return (
    <div className="artifacts-layout">
      <ArtifactTree runId={run.info.run_id} selected={selected} onSelect={(path) => setSelected(path, { push: true })} />
      {selected ? (
        <ArtifactPreview artifactUri={run.info.artifact_uri} path={selected} />
      ) : (
        <section className="card artifact-preview">
          <p className="muted">Choose a file to preview it.</p>
        </section>
      )}
    </div>
  );
};
