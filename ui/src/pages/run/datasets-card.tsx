import type { ReactNode } from "react";
import { Link } from "wouter";
import type { DatasetInput } from "../../api/entities";
import { dataVersionPath, hashOfDataset } from "../data-versions/data-version-paths";

/** MLflow records a dataset's role (training, evaluation...) as the mlflow.data.context input tag. */
const contextOf = (input: DatasetInput): string | undefined => input.tags?.find((tag) => tag.key === "mlflow.data.context")?.value;

/** A data version (source_type cairn-data) links to its page; any other dataset is its name. */
const DatasetName = ({ input }: { input: DatasetInput }): ReactNode => {
  const hash = hashOfDataset(input.dataset);
  return hash === undefined ? input.dataset.name : <Link href={dataVersionPath(hash)}>{input.dataset.name}</Link>;
};

export const DatasetsCard = ({ inputs }: { inputs: readonly DatasetInput[] }): ReactNode => (
  <section className="card" aria-labelledby="run-datasets-heading">
    <h2 id="run-datasets-heading">Dataset inputs</h2>
    {inputs.length === 0 ? (
      <p className="muted">This run logged no dataset inputs.</p>
    ) : (
      <table className="data">
        <caption className="visually-hidden">Datasets the run used</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Context</th>
            <th scope="col">Digest</th>
            <th scope="col">Source type</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {inputs.map((input, index) => (
            <tr key={`${input.dataset.name}:${input.dataset.digest}:${index}`}>
              <th scope="row">
                <DatasetName input={input} />
              </th>
              <td>{contextOf(input) ? <span className="badge muted">{contextOf(input)}</span> : "—"}</td>
              <td className="mono">{input.dataset.digest}</td>
              <td>{input.dataset.source_type}</td>
              <td className="mono run-source">{input.dataset.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
