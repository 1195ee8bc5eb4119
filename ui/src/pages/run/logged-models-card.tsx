import { useQueries } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import type { Run } from "../../api/entities";
import { loggedModelPath } from "../experiment/experiment-paths";
import { getLoggedModel, loggedModelKeys } from "../logged-models/logged-model-api";
import { MODEL_STATUS } from "../logged-models/logged-model-values";

/** A run names at most this many models here; each costs a request to show its name. */
export const MAX_RUN_MODELS = 50;

interface ModelRow {
  direction: "output" | "input";
  modelId: string;
  step: number | undefined;
}

export const runModelRows = (run: Run): ModelRow[] =>
  [
    ...(run.outputs?.model_outputs ?? []).map((output): ModelRow => ({ direction: "output", modelId: output.model_id, step: output.step })),
    ...(run.inputs?.model_inputs ?? []).map((input): ModelRow => ({ direction: "input", modelId: input.model_id, step: undefined })),
  ].slice(0, MAX_RUN_MODELS);

/**
 * The logged models the run produced (its outputs, with the step each was logged at) and used (its model inputs),
 * each linked to the model's page under the model's own experiment.
 */
export const LoggedModelsCard = ({ run }: { run: Run }): ReactNode => {
  const rows = runModelRows(run);
  const models = useQueries({
    queries: rows.map((row) => ({ queryKey: loggedModelKeys.model(row.modelId), queryFn: ({ signal }: { signal: AbortSignal }) => getLoggedModel(row.modelId, signal), staleTime: 60_000 })),
  });
  return (
    <section className="card" aria-labelledby="run-models-heading">
      <h2 id="run-models-heading">Logged models ({rows.length})</h2>
      {rows.length === 0 ? (
        <p className="muted">This run logged and used no logged models.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Logged models of the run</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Direction</th>
              <th scope="col" className="num">
                Step
              </th>
              <th scope="col">Status</th>
              <th scope="col">Type</th>
              <th scope="col">Model ID</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const model = models[index]?.data;
              const status = model ? MODEL_STATUS[model.info.status] : undefined;
              return (
                <tr key={`${row.direction}:${row.modelId}:${index}`}>
                  <th scope="row">
                    {model ? <Link href={loggedModelPath(model.info.experiment_id, row.modelId)}>{model.info.name || row.modelId}</Link> : <span className="muted">{models[index]?.error ? "not found" : "…"}</span>}
                  </th>
                  <td>{row.direction}</td>
                  <td className="num">{row.step ?? "—"}</td>
                  <td>{status ? <span className={status.badge}>{status.label}</span> : "—"}</td>
                  <td>{model?.info.model_type || "—"}</td>
                  <td className="mono">{row.modelId}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
};
