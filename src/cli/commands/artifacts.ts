import path from "node:path";
import type { FileInfo } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
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

/** `cairn artifacts upload RUN_ID LOCAL_PATH`: a file, or a folder's contents, under --artifact-path. */
export const uploadArtifacts = async (
  client: CairnClient,
  runId: string,
  localPath: string,
  options: { artifactPath?: string },
): Promise<CommandResult<{ run_id: string; uploaded: string[] }>> => {
  const uploaded = await client.artifacts.upload(runId, localPath, options.artifactPath);
  const noun = uploaded.length === 1 ? "file" : "files";
  return {
    data: { run_id: runId, uploaded },
    human: { kind: "message", text: [`Uploaded ${uploaded.length} ${noun} to run ${runId}:`, ...uploaded.map((p) => `  ${p}`)].join("\n") },
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
