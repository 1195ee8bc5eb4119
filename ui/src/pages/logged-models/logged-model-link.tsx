import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { loggedModelPath } from "../experiment/experiment-paths";
import { getLoggedModel, loggedModelKeys } from "./logged-model-api";

/**
 * A logged model as a link to its page. The page lives under the model's experiment, which a model version does not
 * name, so the model is read once (cached per id).
 */
export const LoggedModelLink = ({ modelId }: { modelId: string }): ReactNode => {
  const model = useQuery({ queryKey: loggedModelKeys.model(modelId), queryFn: ({ signal }) => getLoggedModel(modelId, signal), staleTime: 60_000 });
  if (model.data) return <Link href={loggedModelPath(model.data.info.experiment_id, modelId)}>{model.data.info.name || modelId}</Link>;
  return (
    <span className="mono" title={model.error ? `Logged model not found: ${model.error.message}` : undefined}>
      {modelId}
    </span>
  );
};
