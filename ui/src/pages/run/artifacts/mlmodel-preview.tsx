import { useMemo, type ReactNode } from "react";
import { summariseMlmodelText } from "../../../mlmodel/mlmodel-text";
import { SignatureTables } from "../../../mlmodel/signature-table";
import type { ArtifactText } from "./fetch-artifact-text";
import { TextPreview } from "./text-previews";

/** An MLflow model's MLmodel file: its flavors, its signature as tables, the other fields, and the file itself. */
export const MlmodelPreview = ({ content, label }: { content: ArtifactText; label: string }): ReactNode => {
  const summary = useMemo(() => {
    try {
      return summariseMlmodelText(content.text);
    } catch (error) {
      return error as Error;
    }
  }, [content.text]);
  if (summary instanceof Error) {
    return (
      <>
        <p className="muted">This MLmodel file cannot be read ({summary.message.split("\n")[0]}).</p>
        <TextPreview content={content} label={label} />
      </>
    );
  }
  return (
    <div className="mlmodel">
      <h4>Flavors</h4>
      {summary.flavors.length === 0 ? <p className="muted">No flavors.</p> : null}
      <ul className="mlmodel-flavors" aria-label="Flavors">
        {summary.flavors.map((flavor) => (
          <li key={flavor.name}>
            <span className="badge">{flavor.name}</span>
            {flavor.details.length > 0 ? (
              <dl className="kv">
                {flavor.details.map(([key, value]) => (
                  <div key={key} className="kv-group">
                    <dt>{key}</dt>
                    <dd className="mono">{value}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        ))}
      </ul>
      <h4>Signature</h4>
      <SignatureTables signature={summary.signature} />
      {summary.fields.length > 0 ? (
        <>
          <h4>Details</h4>
          <dl className="kv">
            {summary.fields.map(([key, value]) => (
              <div key={key} className="kv-group">
                <dt>{key}</dt>
                <dd className="mono">{value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      <details>
        <summary>The MLmodel file</summary>
        <TextPreview content={content} label={label} />
      </details>
    </div>
  );
};
