import { useQuery } from "@tanstack/react-query";
import { ApiError, artifactDownloadUrl, mlflowGet } from "../../api/http";
import { summariseMlmodel, type MlmodelSummary } from "../../mlmodel/mlmodel";

/** Where the version's files are, as the registry resolves its source (runs:/, models:/ become mlflow-artifacts:/). */
const downloadUri = async (name: string, version: string, signal?: AbortSignal): Promise<string> =>
  (await mlflowGet<{ artifact_uri: string }>("model-versions/get-download-uri", { name, version }, signal)).artifact_uri;

/**
 * The version's MLmodel file, summarised; null when its files hold none (a version registered from a folder
 * without one; null, not undefined, which TanStack Query refuses as a query's data). The YAML parser is loaded only
 * here, when an MLmodel exists.
 */
const loadMlmodel = async (name: string, version: string, signal?: AbortSignal): Promise<MlmodelSummary | null> => {
  const url = artifactDownloadUrl(await downloadUri(name, version, signal), "MLmodel");
  if (url === undefined) return null;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError("Cannot reach the Cairn server. Is it running?", 0, undefined);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new ApiError(`Could not read the MLmodel file (HTTP ${response.status}).`, response.status, undefined);
  const { parse } = await import("yaml");
  return summariseMlmodel(parse(await response.text()));
};

export const useMlmodel = (name: string, version: string) =>
  useQuery({ queryKey: ["registry", "mlmodel", name, version], queryFn: ({ signal }) => loadMlmodel(name, version, signal), staleTime: 5 * 60_000 });
