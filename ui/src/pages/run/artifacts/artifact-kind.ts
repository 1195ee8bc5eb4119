/** How the artifacts tab shows a file: as a preview of its kind, or only as a download link ("other"). */
export type ArtifactKind = "mlmodel" | "json" | "yaml" | "csv" | "tsv" | "image" | "text" | "other";

const BY_EXTENSION: Record<string, ArtifactKind> = {
  json: "json",
  ipynb: "json",
  yaml: "yaml",
  yml: "yaml",
  csv: "csv",
  tsv: "tsv",
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  svg: "image",
  webp: "image",
  txt: "text",
  log: "text",
  err: "text",
  out: "text",
  py: "text",
  md: "text",
  rst: "text",
  sh: "text",
  r: "text",
  sql: "text",
  js: "text",
  ts: "text",
  cfg: "text",
  conf: "text",
  ini: "text",
  toml: "text",
  properties: "text",
  xml: "text",
  html: "text",
  jsonl: "text",
  ndjson: "text",
};

/** Files that by convention have no extension. */
const BY_NAME: Record<string, ArtifactKind> = {
  MLmodel: "mlmodel",
  MLproject: "yaml",
  Dockerfile: "text",
  LICENSE: "text",
  README: "text",
  Makefile: "text",
};

export const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

export const artifactKind = (path: string): ArtifactKind => {
  const name = baseName(path);
  const byName = BY_NAME[name];
  if (byName) return byName;
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "other";
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "other";
};
