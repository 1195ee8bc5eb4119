import { CairnError, ErrorCode } from "../core/errors.js";
import { normaliseArtifactPath } from "./artifact-path.js";

/**
 * Maps a run's artifact URI to the store key of its artifact root. Only proxied URIs are served:
 * mlflow-artifacts:/<path> or mlflow-artifacts://<authority>/<path>, as MLflow's
 * _get_proxied_run_artifact_destination_path reads them (the path component, leading slashes stripped, not
 * percent-decoded). Any other scheme names storage this server does not front, so it is refused.
 */
const SCHEME = "mlflow-artifacts:";

export const storeKeyOfArtifactUri = (runId: string, artifactUri: string): string => {
  if (artifactUri.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw new CairnError(
      ErrorCode.BAD_REQUEST,
      `Run '${runId}' has artifact_uri '${artifactUri}', which this server does not serve: only runs whose artifact_uri is an ${SCHEME} URI are listed through the tracking server.`,
    );
  }
  let rest = artifactUri.slice(SCHEME.length);
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    rest = slash === -1 ? "" : rest.slice(slash);
  }
  return normaliseArtifactPath(rest.replace(/^\/+/, ""), "artifact_uri", { allowRoot: true });
};
