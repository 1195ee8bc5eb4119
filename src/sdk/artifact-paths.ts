import path from "node:path";

/**
 * Paths of the artifact proxy. In proxy mode a run's artifact_uri is mlflow-artifacts:/<exp>/<run>/artifacts (or
 * mlflow-artifacts://host/<...>); its path is what the server's /api/2.0/mlflow-artifacts/artifacts/ routes take.
 */
export const proxiedRoot = (artifactUri: string): string | undefined => {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  return match ? (match[1] ?? "").replace(/\/+$/, "") : undefined;
};

/** Joins relative artifact path parts with "/", dropping empty parts; rejects ".." so a path cannot climb out. */
export const joinArtifactPath = (...parts: (string | undefined)[]): string => {
  const segments = parts
    .filter((part): part is string => part !== undefined)
    .flatMap((part) => part.split("/"))
    .filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw new TypeError(`artifact path '${parts.join("/")}' must not contain '..'`);
  return segments.join("/");
};

/** Each segment percent-encoded, slashes kept: the URL path of an artifact on the proxy routes. */
export const encodePath = (artifactPath: string): string => artifactPath.split("/").map(encodeURIComponent).join("/");

/** Where a downloaded artifact lands under a local folder; refuses paths that would escape the folder. */
export const localTarget = (destDir: string, artifactPath: string): string => {
  const root = path.resolve(destDir);
  const target = path.resolve(root, ...artifactPath.split("/"));
  if (target !== root && !target.startsWith(root + path.sep)) {
    throw new TypeError(`artifact path '${artifactPath}' would be written outside ${root}`);
  }
  return target;
};
