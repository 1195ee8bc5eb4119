import { stat } from "node:fs/promises";
import path from "node:path";
import type { FileInfo } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { NothingChanged } from "../errors.js";
import { formatSize, type CommandResult } from "../output.js";

/** `cairn artifacts list RUN_ID [PATH]`: the entries directly under PATH (the run's root when omitted). */
export const listArtifacts = async (client: CairnClient, runId: string, artifactPath?: string): Promise<CommandResult<FileInfo[]>> => {
  const { files } = await client.artifacts.list(runId, artifactPath);
  return {
    data: files,
    human: {
      kind: "table",
      columns: ["PATH", "TYPE", "SIZE"],
      rows: files.map((f) => [f.path, f.is_dir ? "dir" : "file", f.is_dir ? "-" : formatSize(f.file_size)]),
      empty: artifactPath ? `No artifacts under '${artifactPath}'.` : "No artifacts.",
    },
  };
};

export interface UploadData {
  run_id: string;
  /** The URI of what was created: the file's for a file, the folder's for a folder (what `mlflow.artifacts` takes). */
  artifact_uri: string;
  /** Artifact paths relative to the run's root. */
  uploaded: string[];
  /** The URI of each uploaded file. */
  uris: string[];
}

/** An artifact path under a run's artifact URI (`mlflow-artifacts:/0/<run>/artifacts` + `model/a.txt`). */
const under = (root: string, artifactPath: string): string => {
  const rest = artifactPath.split("/").filter((part) => part !== "").join("/");
  return rest === "" ? root : `${root.replace(/\/+$/, "")}/${rest}`;
};

/**
 * `cairn artifacts upload RUN_ID LOCAL_PATH`: a file, or a folder's contents, under --artifact-path. Prints the
 * `mlflow-artifacts:/` URI it created (to register or download it); a folder without files uploads nothing and
 * is an error (exit 1).
 */
export const uploadArtifacts = async (
  client: CairnClient,
  runId: string,
  localPath: string,
  options: { artifactPath?: string },
): Promise<CommandResult<UploadData>> => {
  const root = (await client.runs.get(runId)).info.artifact_uri;
  const isFile = (await stat(localPath)).isFile();
  const uploaded = await client.artifacts.upload(runId, localPath, options.artifactPath);
  if (uploaded.length === 0) throw new NothingChanged(`'${localPath}' holds no files; nothing uploaded to run ${runId}`);
  const artifactUri = isFile ? under(root, uploaded[0] ?? "") : under(root, options.artifactPath ?? "");
  const uris = uploaded.map((p) => under(root, p));
  const noun = uploaded.length === 1 ? "file" : "files";
  return {
    data: { run_id: runId, artifact_uri: artifactUri, uploaded, uris },
    human: {
      kind: "message",
      text: isFile ? `Uploaded ${artifactUri}` : [`Uploaded ${uploaded.length} ${noun} to ${artifactUri}:`, ...uploaded.map((p) => `  ${p}`)].join("\n"),
    },
  };
};

/** `cairn artifacts download RUN_ID [PATH] --dest DIR`: files keep their artifact paths under DIR. */
export const downloadArtifacts = async (
  client: CairnClient,
  runId: string,
  artifactPath: string | undefined,
  options: { dest: string },
): Promise<CommandResult<{ run_id: string; files: string[] }>> => {
  const files = await client.artifacts.download(runId, artifactPath, options.dest);
  const shown = files.map((file) => path.relative(process.cwd(), file) || file);
  const noun = files.length === 1 ? "file" : "files";
  return {
    data: { run_id: runId, files },
    human: { kind: "message", text: [`Downloaded ${files.length} ${noun} to ${options.dest}:`, ...shown.map((p) => `  ${p}`)].join("\n") },
  };
};
