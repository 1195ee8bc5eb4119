import { useMemo, type ReactNode } from "react";
import type { Run } from "../../../api/entities";
import { useQueryParam } from "../../../url-state";
import { ArtifactPreview } from "./artifact-preview";
import { ArtifactTree, runArtifactSource } from "./artifact-tree";

/** The artifact tree beside a preview of the file chosen in the URL (`artifact=path/in/run`). */
export const ArtifactsTab = ({ run }: { run: Run }): ReactNode => {
  const [selected, setSelected] = useQueryParam("artifact");
  const source = useMemo(() => runArtifactSource(run.info.run_id), [run.info.run_id]);
  return (
    <div className="artifacts-layout">
      <ArtifactTree source={source} selected={selected} onSelect={(path) => setSelected(path, { push: true })} />
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
