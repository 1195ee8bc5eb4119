/**
 * Joins an artifact root and path segments with single slashes, as MLflow's append_to_uri_path does for these cases:
 * where experiments, runs and logged models keep their files.
 */
export const appendToUri = (base: string, ...parts: string[]): string => {
  const trimmed = base.endsWith("/") ? base.slice(0, -1) : base;
  return [trimmed, ...parts].join("/");
};
